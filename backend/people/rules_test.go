package people

import (
	"reflect"
	"strings"
	"testing"
)

func TestValidAddress(t *testing.T) {
	for s, ok := range map[string]bool{
		"a@b.example": true, "first.last+tag@sub.acme.example": true, "o'neil@acme.example": true, "zoë@exämple.fr": true,
		"": false, "a": false, "@b.example": false, "a@": false, "a@b": false, "a b@c.example": false, ".a@c.example": false,
		"a..b@c.example": false, "a@-c.example": false, "a@c..example": false, "a@c.example.": false, "<a@c.example>": false,
		"jean\u00a0dupont@acme.example": false, "jean@acme\u200b.example": false, "\ufeffjean@acme.example": false, "jean\xff@acme.example": false,
		"a@10.0.0.1": false, "a@acme.123": false, "a@acme.x1": true, "a@xn--exmple-cua.fr": true,
	} {
		if ValidAddress(s) != ok {
			t.Errorf("ValidAddress(%q) = %v", s, !ok)
		}
	}
}

// A login is refused for any character that does not show, and the message says which
// one and where, counting characters (not bytes) from 1.
func TestLoginFaultNamesTheCharacterAndItsPosition(t *testing.T) {
	for _, tc := range []struct{ login, fault string }{
		{"alice", ""},
		{"alice@old.example", ""},
		{"zoë.müller", ""},
		{`OLD\alice`, ""},
		{"", "is empty"},
		{"gus smith", "contains a space (U+0020) at character 4"},
		{"jean\u00a0dupont", "contains a no-break space (U+00A0) at character 5"},
		{"zoë\u00a0m", "contains a no-break space (U+00A0) at character 4"},
		{"alice\t", "contains a tab (U+0009) at character 6"},
		{"\ufeffalice", "contains a byte order mark (U+FEFF) at character 1"},
		{"al\u200bice", "contains a zero-width space (U+200B) at character 3"},
		{"al\u00adice", "contains a soft hyphen (U+00AD) at character 3"},
		{"a\u2003b", "contains a space character (U+2003) at character 2"},
		{"a\x01b", "contains a control character (U+0001) at character 2"},
		{"a\u2066b", "contains an invisible formatting character (U+2066) at character 2"},
		{"a\xffb", "contains a byte that is not UTF-8 text at character 2"},
	} {
		if got := LoginFault(tc.login); got != tc.fault {
			t.Errorf("LoginFault(%q) = %q, want %q", tc.login, got, tc.fault)
		}
	}
}

func TestCompleteDefaultsLoginAndDisplayName(t *testing.T) {
	for _, tc := range []struct {
		in   User
		want User
	}{
		{User{Address: "alice@acme.example", FirstName: "Alice", LastName: "Martin"},
			User{Address: "alice@acme.example", FirstName: "Alice", LastName: "Martin", DisplayName: "Alice Martin", SourceLogin: "alice@acme.example"}},
		{User{Address: "bob@acme.example", SourceLogin: "bob", LastName: "Stone"},
			User{Address: "bob@acme.example", SourceLogin: "bob", LastName: "Stone", DisplayName: "Stone"}},
		{User{Address: "carol@acme.example"},
			User{Address: "carol@acme.example", SourceLogin: "carol@acme.example", DisplayName: "carol"}},
		{User{Address: "dave@acme.example", DisplayName: "D."},
			User{Address: "dave@acme.example", SourceLogin: "dave@acme.example", DisplayName: "D."}},
	} {
		u := tc.in
		u.Complete()
		if !reflect.DeepEqual(u, tc.want) {
			t.Errorf("%+v completed to %+v, want %+v", tc.in, u, tc.want)
		}
	}
}

func TestSameAsIgnoresPasswordsAndMemberCase(t *testing.T) {
	u := User{Address: "a@acme.example", HasPassword: true}
	if !u.SameAs(User{Address: "a@acme.example"}) || u.SameAs(User{Address: "a@acme.example", Migrate: true}) {
		t.Error("User.SameAs")
	}
	g := Group{Address: "g@acme.example", Members: []string{"A@acme.example", "b@acme.example"}}
	if !g.SameAs(Group{Address: "g@acme.example", Members: []string{"a@acme.example", "b@acme.example"}}) ||
		g.SameAs(Group{Address: "g@acme.example", Members: []string{"b@acme.example", "a@acme.example"}}) {
		t.Error("Group.SameAs")
	}
}

// The domain rule is the one of an address's domain and of a project's mail domains.
func TestValidDomain(t *testing.T) {
	for s, ok := range map[string]bool{
		"acme.example": true, "sub.acme.example": true, "exämple.fr": true, "xn--exmple-cua.fr": true, "例え.jp": true, "ACME.Example": true,
		"": false, "acme": false, "acme.": false, ".acme.example": false, "10.0.0.1": false, "acme.123": false, "-a.example": false,
		"a-.example": false, "a..example": false, "a_b.example": false, "acme\u00a0.example": false, "acme\u200b.example": false,
		strings.Repeat("a", 63) + ".example": true, strings.Repeat("a", 64) + ".example": false,
		strings.Repeat("a.", 125) + "ex": true, strings.Repeat("a.", 126) + "ex": false, // 252 and 254 bytes
	} {
		if ValidDomain(s) != ok {
			t.Errorf("ValidDomain(%q) = %v", s, !ok)
		}
	}
}

func TestUsersWithTheSameAliasesInAnyOrderAndCaseAreTheSame(t *testing.T) {
	base := User{Address: "info@acme.example", Aliases: []string{"hello@acme.example", "Contact@acme.example"}, Shared: true}
	for _, tc := range []struct {
		name string
		v    User
		same bool
	}{
		{"other order and case", User{Address: "info@acme.example", Aliases: []string{"contact@acme.example", "HELLO@acme.example"}, Shared: true}, true},
		{"passwords aside", User{Address: "info@acme.example", Aliases: []string{"hello@acme.example", "contact@acme.example"}, Shared: true, HasPassword: true}, true},
		{"one alias fewer", User{Address: "info@acme.example", Aliases: []string{"hello@acme.example"}, Shared: true}, false},
		{"another alias", User{Address: "info@acme.example", Aliases: []string{"hello@acme.example", "sales@acme.example"}, Shared: true}, false},
		{"not shared", User{Address: "info@acme.example", Aliases: []string{"hello@acme.example", "contact@acme.example"}}, false},
	} {
		if got := base.SameAs(tc.v); got != tc.same {
			t.Errorf("%s: SameAs = %v, want %v", tc.name, got, tc.same)
		}
	}
}
