package notices

import toast "git.sr.ht/~jackmordaunt/go-toast/v2"

// System is Windows' toast notifications.
func System() Notifier { return toaster{} }

type toaster struct{}

func (toaster) Notify(title, body string) error {
	n := toast.Notification{AppID: "Cutover", Title: title, Body: body}
	return n.Push()
}
