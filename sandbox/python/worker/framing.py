"""The host protocol's framing, and descriptors passed over a socket.

Wire format, both directions: u32 little-endian header length, a JSON header, then the raw
byte blobs whose lengths the header names, in the order the header lists them. The protocol's
own descriptors (PROTO_IN, PROTO_OUT) are moved off stdin and stdout at start (main.py).
"""

import json
import os
import struct
from _socket import CMSG_SPACE, SCM_RIGHTS, SOL_SOCKET


def read_exact(fd, n):
    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame(fd):
    (size,) = struct.unpack("<I", read_exact(fd, 4))
    header = json.loads(read_exact(fd, size))
    blobs = [read_exact(fd, n) for n in header.get("blobs", [])]
    return header, blobs


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_frame(fd, header, blobs=()):
    header = dict(header, blobs=[len(b) for b in blobs])
    raw = json.dumps(header).encode()
    write_all(fd, b"".join([struct.pack("<I", len(raw)), raw, *blobs]))


def send_fds(sock, data, fds):
    """One message carrying descriptors (the `socket` module's own helper imports `enum` and
    more, which the supervisor otherwise does without)."""
    sock.sendmsg([data], [(SOL_SOCKET, SCM_RIGHTS, struct.pack(f"{len(fds)}i", *fds))])


def recv_fds(sock, size, max_fds):
    """(data, descriptors) of one message."""
    data, ancillary, _, _ = sock.recvmsg(size, CMSG_SPACE(max_fds * struct.calcsize("i")))
    fds = []
    for level, kind, payload in ancillary:
        if level == SOL_SOCKET and kind == SCM_RIGHTS:
            usable = len(payload) - len(payload) % 4
            fds.extend(struct.unpack(f"{usable // 4}i", payload[:usable]))
    return data, fds
