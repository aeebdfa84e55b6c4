package generated

import "time"

//poolgen:worker nocontext
func work() int {
	time.Sleep(time.Second) // want `time.Sleep`
	return 1
}
