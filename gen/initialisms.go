package gen

import (
	"strings"
	"unicode"
)

// initialisms are golint's common initialisms, which Go spells in one case
// (URL, not Url).
var initialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "CPU": true, "CSS": true, "DNS": true,
	"EOF": true, "GUID": true, "HTML": true, "HTTP": true, "HTTPS": true, "ID": true,
	"IP": true, "JSON": true, "LHS": true, "QPS": true, "RAM": true, "RHS": true,
	"RPC": true, "SLA": true, "SMTP": true, "SQL": true, "SSH": true, "TCP": true,
	"TLS": true, "TTL": true, "UDP": true, "UI": true, "UID": true, "UUID": true,
	"URI": true, "URL": true, "UTF8": true, "VM": true, "XML": true, "XMPP": true,
	"XSRF": true, "XSS": true,
}

// exportedName is s with its first letter in upper case and each of its words
// that is an initialism in upper case: url gives URL, userId UserID.
func exportedName(s string) string {
	ws := words(s)
	for i, w := range ws {
		if u := strings.ToUpper(w); initialisms[u] {
			ws[i] = u
		} else if i == 0 {
			ws[i] = upperFirst(w)
		}
	}
	return strings.Join(ws, "")
}

// unexportedName is s with its first word in lower case, and each other word
// that is an initialism in upper case: URL gives url, URLPath urlPath, UserId
// userID.
func unexportedName(s string) string {
	ws := words(s)
	for i, w := range ws {
		if i == 0 {
			ws[i] = lowerLead(w)
		} else if u := strings.ToUpper(w); initialisms[u] {
			ws[i] = u
		}
	}
	return strings.Join(ws, "")
}

// words splits s, as golint does, where a lower-case letter is followed by
// another character that is not one, and around each underscore: userId gives
// user and Id, URLPath one word, a_b a, _ and b.
func words(s string) []string {
	var ws []string
	r := []rune(s)
	start := 0
	for i := range r {
		end := i+1 == len(r) || r[i] == '_' || r[i+1] == '_' ||
			unicode.IsLower(r[i]) && !unicode.IsLower(r[i+1])
		if end {
			ws = append(ws, string(r[start:i+1]))
			start = i + 1
		}
	}
	return ws
}

// lowerLead puts w's leading capitals in lower case, but for the last one
// when a lower-case letter follows it and starts the next word: URL gives
// url, URLPath urlPath, HTTPServer httpServer, IDs ids, Resize resize.
func lowerLead(w string) string {
	r := []rune(w)
	n := 0
	for n < len(r) && unicode.IsUpper(r[n]) {
		n++
	}
	if n > 1 && n < len(r) && unicode.IsLower(r[n]) &&
		(initialisms[string(r[:n-1])] || !initialisms[string(r[:n])]) {
		n--
	}
	for i := range n {
		r[i] = unicode.ToLower(r[i])
	}
	return string(r)
}
