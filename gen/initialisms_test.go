package gen

import "testing"

// TestNamesFollowInitialisms checks the names generated from a user's words:
// initialisms in one case (golint's list), in every camelCase word.
func TestNamesFollowInitialisms(t *testing.T) {
	for _, c := range []struct{ in, exported, unexported string }{
		{"url", "URL", "url"},
		{"id", "ID", "id"},
		{"http", "HTTP", "http"},
		{"userId", "UserID", "userID"},
		{"fetchUrl", "FetchURL", "fetchURL"},
		{"httpServer", "HTTPServer", "httpServer"},
		{"URLPath", "URLPath", "urlPath"},
		{"HTTPServer", "HTTPServer", "httpServer"},
		{"IDs", "IDs", "ids"},
		{"ids", "Ids", "ids"},
		{"resize", "Resize", "resize"},
		{"Resize", "Resize", "resize"},
		{"user_id", "User_ID", "user_ID"},
		{"_a", "_a", "_a"},
		{"x", "X", "x"},
		{"日本", "日本", "日本"},
		{"ÄbId", "ÄbID", "äbID"},
	} {
		if got := exportedName(c.in); got != c.exported {
			t.Errorf("exportedName(%q) = %q, want %q", c.in, got, c.exported)
		}
		if got := unexportedName(c.in); got != c.unexported {
			t.Errorf("unexportedName(%q) = %q, want %q", c.in, got, c.unexported)
		}
	}
}
