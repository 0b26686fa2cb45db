package node

import (
	"context"
	"errors"
	"net/netip"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// The node's DNS answers Services' names with their ClusterIPs, and
// nothing else.
func TestDNSAnswer(t *testing.T) {
	d := &dnsServer{lookup: func(_ context.Context, ns, name string) (string, error) {
		switch ns + "/" + name {
		case "hookgen-test/sink":
			return "10.96.0.20", nil
		case "broken/api":
			return "", errors.New("apiserver down")
		}
		return "", nil
	}}
	for _, tc := range []struct {
		name  string
		typ   dnsmessage.Type
		rcode dnsmessage.RCode
		ip    string
	}{
		{"sink.hookgen-test.svc.cluster.local.", dnsmessage.TypeA, dnsmessage.RCodeSuccess, "10.96.0.20"},
		{"SINK.hookgen-test.svc.cluster.local.", dnsmessage.TypeA, dnsmessage.RCodeSuccess, "10.96.0.20"},
		{"sink.hookgen-test.svc.cluster.local.", dnsmessage.TypeAAAA, dnsmessage.RCodeSuccess, ""},
		{"nope.hookgen-test.svc.cluster.local.", dnsmessage.TypeA, dnsmessage.RCodeNameError, ""},
		{"sink.hookgen-test.svc.", dnsmessage.TypeA, dnsmessage.RCodeNameError, ""},
		{"a.b.hookgen-test.svc.cluster.local.", dnsmessage.TypeA, dnsmessage.RCodeNameError, ""},
		{"example.com.", dnsmessage.TypeA, dnsmessage.RCodeNameError, ""},
		{"api.broken.svc.cluster.local.", dnsmessage.TypeA, dnsmessage.RCodeServerFailure, ""},
	} {
		b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: 7, RecursionDesired: true})
		_ = b.StartQuestions()
		_ = b.Question(dnsmessage.Question{Name: dnsmessage.MustNewName(tc.name), Type: tc.typ, Class: dnsmessage.ClassINET})
		req, err := b.Finish()
		if err != nil {
			t.Fatal(err)
		}
		var m dnsmessage.Message
		if err := m.Unpack(d.answer(req)); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := ""
		for _, a := range m.Answers {
			if r, ok := a.Body.(*dnsmessage.AResource); ok {
				got = netip.AddrFrom4(r.A).String()
			}
		}
		if m.ID != 7 || !m.Response || m.RCode != tc.rcode || got != tc.ip || len(m.Questions) != 1 {
			t.Errorf("%s %v: id %d, rcode %v, answer %q; want rcode %v, answer %q", tc.name, tc.typ, m.ID, m.RCode, got, tc.rcode, tc.ip)
		}
	}
	if d.answer([]byte{1, 2, 3}) != nil {
		t.Error("a malformed query got an answer")
	}
}
