#!/usr/bin/env python3
"""Network delay where the kernel has neither netem nor nft's queue expression (this machine's).
Run inside a pod's network namespace as

    delayd.py <tun name> <delay ms> <jitter ms> <max lifetime s>

It creates the TUN device <tun name> (not persistent: it and every route through it vanish when the
daemon exits) and prints "ready". The platform then routes each delayed peer's /32 through it. Each
packet read from the TUN is held delay +- jitter ms (normal, never below zero, never released before
the packet ahead of it, so a flow is not reordered), then sent on through eth0 by a raw socket bound
to eth0, which the kernel routes by the pod's own /24 route. Only what the pod sends to those peers
is delayed: one way, so a round trip gains the delay once. The daemon dies with the process that
started it (PR_SET_PDEATHSIG) and after its lifetime, so it cannot outlive a run.
"""
import ctypes, fcntl, heapq, os, random, select, signal, socket, struct, sys, time

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000


def main():
    name, delay_ms, jitter_ms, lifetime_s = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    deadline = time.monotonic() + lifetime_s
    tun = os.open('/dev/net/tun', os.O_RDWR)
    fcntl.ioctl(tun, TUNSETIFF, struct.pack('16sH', name.encode(), IFF_TUN | IFF_NO_PI))
    out = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    out.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b'eth0')
    os.system(f'ip link set {name} up')
    print('ready', flush=True)

    held, last_due, seq = [], 0.0, 0
    while time.monotonic() < deadline:
        now = time.monotonic()
        while held and held[0][0] <= now:
            _, _, packet = heapq.heappop(held)
            send(out, packet)
        timeout = max(0.0, held[0][0] - now) if held else 0.5
        ready, _, _ = select.select([tun], [], [], timeout)
        if not ready:
            continue
        packet = os.read(tun, 65536)
        if len(packet) < 20 or packet[0] >> 4 != 4:
            continue  # IPv4 only: the pod network has no IPv6 addresses
        due = max(time.monotonic() + max(0.0, random.gauss(delay_ms, jitter_ms)) / 1000, last_due)
        last_due, seq = due, seq + 1
        heapq.heappush(held, (due, seq, packet))
    for _, _, packet in held:
        send(out, packet)


def send(out, packet):
    try:
        out.sendto(packet, (socket.inet_ntoa(packet[16:20]), 0))
    except OSError:
        pass  # a peer gone or a full buffer: a lost packet, as on a real link


if __name__ == '__main__':
    main()
