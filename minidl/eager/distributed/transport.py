"""Messages between processes: any picklable object (numpy arrays travel as their raw bytes, pickle protocol 5)
framed by an 8-byte length on a TCP socket. Standard library only."""
import pickle
import socket
import struct
import time

_LENGTH = struct.Struct("!Q")


def send_message(sock, obj):
    payload = pickle.dumps(obj, protocol=5)
    sock.sendall(_LENGTH.pack(len(payload)) + payload)


def _receive_exactly(sock, size):
    buffer = bytearray(size)
    view, received = memoryview(buffer), 0
    while received < size:
        count = sock.recv_into(view[received:])
        if count == 0:
            raise ConnectionError("the peer process closed its connection (did it exit or fail?)")
        received += count
    return buffer


def receive_message(sock):
    (length,) = _LENGTH.unpack(_receive_exactly(sock, _LENGTH.size))
    return pickle.loads(_receive_exactly(sock, length))


def connect(host, port, timeout):
    """A connection to ``host:port``, retried until ``timeout`` seconds pass (the listener may not be up yet)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            sock = socket.create_connection((host, port), timeout=timeout)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
