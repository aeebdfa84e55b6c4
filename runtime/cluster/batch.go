package cluster

import (
	"encoding/binary"
	"errors"

	"github.com/poolgen/poolgen/runtime/internal/wire"
)

// Subjects and names in NATS. A task message, on taskSubject, carries a
// batch of calls of one job (appendCall), and in its headers the subject
// that its replies go to (one per submitting Conn) and the submitter's id.
// Replies are core NATS messages, one wire.Msg each. A cancel, on
// cancelSubject, reaches every worker: a Conn's reply subject and the id up
// to which its calls are cancelled. A submitter says that it lives on
// aliveSubject.
const (
	streamName    = "POOLGEN_TASKS"
	consumerName  = "poolgen-workers"
	taskPrefix    = "poolgen.task."
	cancelSubject = "poolgen.cancel"
	alivePrefix   = "poolgen.alive."
	replyPrefix   = "poolgen.reply."
	hdrReply      = "Poolgen-Reply"
	hdrFrom       = "Poolgen-From"
	hdrClass      = "Poolgen-Class"
)

// appendCall appends m to a batch.
func appendCall(b []byte, m *wire.Msg) []byte {
	start := len(b)
	b = append(b, 0, 0, 0, 0)
	b = m.Append(b)
	binary.BigEndian.PutUint32(b[start:], uint32(len(b)-start-4))
	return b
}

var errBadBatch = errors.New("cluster: a malformed task message")

// parseBatch returns the calls of a batch.
func parseBatch(b []byte) ([]wire.Msg, error) {
	var calls []wire.Msg
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, errBadBatch
		}
		n := binary.BigEndian.Uint32(b)
		if uint64(n) > uint64(len(b)-4) {
			return nil, errBadBatch
		}
		var m wire.Msg
		if err := m.Parse(b[4 : 4+n]); err != nil {
			return nil, err
		}
		calls = append(calls, m)
		b = b[4+n:]
	}
	return calls, nil
}

// appendCancel is a cancel of the calls up to id of the Conn whose replies
// go to reply.
func appendCancel(b []byte, reply string, id uint64) []byte {
	b = binary.AppendUvarint(b, id)
	return append(b, reply...)
}

// parseCancel parses what appendCancel made.
func parseCancel(b []byte) (reply string, id uint64, ok bool) {
	id, n := binary.Uvarint(b)
	if n <= 0 {
		return "", 0, false
	}
	return string(b[n:]), id, true
}
