package node

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// ClusterDomain is the pods' DNS domain: <service>.<namespace>.svc.<domain>.
const ClusterDomain = "cluster.local"

// dnsServer answers the pods' DNS queries for Services (A records of their
// ClusterIPs), the part of a cluster DNS the tests need. Other names are
// NXDOMAIN: pods reach nothing outside the node.
type dnsServer struct {
	conn   net.PacketConn
	lookup func(ctx context.Context, namespace, name string) (string, error) // "" when there is no such Service
}

func startDNS(addr string, lookup func(ctx context.Context, namespace, name string) (string, error)) (*dnsServer, error) {
	conn, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, err
	}
	d := &dnsServer{conn: conn, lookup: lookup}
	go d.serve()
	return d, nil
}

func (d *dnsServer) Close() error { return d.conn.Close() }

func (d *dnsServer) serve() {
	buf := make([]byte, 1500)
	for {
		n, addr, err := d.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		req := append([]byte(nil), buf[:n]...)
		go func() {
			if resp := d.answer(req); resp != nil {
				_, _ = d.conn.WriteTo(resp, addr)
			}
		}()
	}
}

func (d *dnsServer) answer(req []byte) []byte {
	var p dnsmessage.Parser
	h, err := p.Start(req)
	if err != nil {
		return nil
	}
	q, err := p.Question()
	if err != nil {
		return nil
	}
	rcode := dnsmessage.RCodeNameError
	var ip netip.Addr
	name := strings.TrimSuffix(strings.ToLower(q.Name.String()), ".")
	if rest, ok := strings.CutSuffix(name, ".svc."+ClusterDomain); ok {
		if svc, ns, ok := strings.Cut(rest, "."); ok && !strings.Contains(ns, ".") {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			addr, err := d.lookup(ctx, ns, svc)
			cancel()
			switch {
			case err != nil:
				rcode = dnsmessage.RCodeServerFailure
			case addr != "":
				rcode = dnsmessage.RCodeSuccess
				ip, _ = netip.ParseAddr(addr)
			}
		}
	}
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired, RCode: rcode})
	b.EnableCompression()
	if b.StartQuestions() != nil || b.Question(q) != nil || b.StartAnswers() != nil {
		return nil
	}
	if q.Type == dnsmessage.TypeA && ip.Is4() {
		if b.AResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 5}, dnsmessage.AResource{A: ip.As4()}) != nil {
			return nil
		}
	}
	out, err := b.Finish()
	if err != nil {
		return nil
	}
	return out
}
