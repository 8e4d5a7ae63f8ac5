/* rtnl: the few rtnetlink requests a network repro needs: a veth pair, links up,
 * addresses, routes. Everything is asked of the namespace the NETLINK_ROUTE socket was
 * created in (see netns.h); a veth's far end can be put straight into another
 * namespace, so no interface ever appears in the caller's own namespace.
 *
 * Each request waits for the kernel's acknowledgement and returns 0 or -1 with the
 * kernel's errno (EEXIST, ENODEV, EADDRNOTAVAIL, ...). Nothing is printed.
 */
#ifndef CRDIAG_RTNL_H
#define CRDIAG_RTNL_H

/* A NETLINK_ROUTE socket (close-on-exec, 1 s receive timeout) in the current namespace. */
int rtnl_open(void);

/* veth pair: name here, peer_name in the namespace peer_nsfd. Both ends are down.
 * index/peer_index ask for those interface indexes (0: the kernel picks). Pick them
 * so that no end has the same index as its peer: the kernel's link watcher treats a
 * veth whose index equals its peer's (easy across namespaces: both are often 2) as a
 * non-urgent event, and the link stays without a working qdisc (drops everything)
 * for up to a second after it is up. */
int rtnl_veth_add(int rt, const char *name, int index, const char *peer_name, int peer_index,
		  int peer_nsfd);

/* Set the link-layer (MAC) address of a link that is down. */
int rtnl_link_set_mac(int rt, int ifindex, const unsigned char mac[6]);

/* The index of interface name; ENODEV when there is none. */
int rtnl_link_index(int rt, const char *name);

int rtnl_link_up(int rt, int ifindex);

/* Wait until ifindex is operationally up (IFF_RUNNING: carrier, and the link watcher
 * has activated its qdisc), polling every 10 ms for at most timeout_ms: ETIMEDOUT. */
int rtnl_link_wait_running(int rt, int ifindex, int timeout_ms);

/* addr/prefixlen on ifindex. family AF_INET (addr: struct in_addr) or AF_INET6
 * (struct in6_addr). Added without duplicate address detection (IFA_F_NODAD), so an
 * IPv6 address can be bound at once instead of staying "tentative" for a second. */
int rtnl_addr_add(int rt, int ifindex, int family, const void *addr, unsigned prefixlen);

/* Remove addr/prefixlen from ifindex; EADDRNOTAVAIL when it is not there. (Deleting an
 * IPv4 primary address deletes its secondaries too, unless the namespace has
 * net.ipv4.conf.<if>.promote_secondaries=1.) */
int rtnl_addr_del(int rt, int ifindex, int family, const void *addr, unsigned prefixlen);

/* A permanent neighbour entry: addr (family as in rtnl_addr_add) is at mac on ifindex.
 * No ARP or neighbour discovery is then needed for it, so the first datagram does not
 * depend on how soon the kernel's asynchronous IPv6 address set-up (joining the
 * solicited-node group, the link-local address) has run. */
int rtnl_neigh_add(int rt, int ifindex, int family, const void *addr, const unsigned char mac[6]);

/* 1 when the kernel routes addr as local (RTN_LOCAL, as `ip route get` shows it), 0
 * when not. An IPv6 address's local route is inserted by an asynchronous work item
 * that needs the RTNL lock, even with IFA_F_NODAD: until then the address can be bound
 * and sent from, but datagrams to it are dropped (Ip6InAddrErrors). Wait for this. */
int rtnl_route_is_local(int rt, int family, const void *addr);

/* Route dst/dstlen via gateway gw (same family). */
int rtnl_route_add(int rt, int family, const void *dst, unsigned dstlen, const void *gw);

#endif
