"""Key-value stores for the rendezvous (``torch.distributed.Store``): processes publish where they listen and wait
for each other's keys. ``TCPStore`` is served by a thread of the master process (rank 0) on ``host:port``;
``FileStore`` keeps the keys in a file that every process appends to under a lock (``fcntl.flock``), and the last
process to leave deletes it. Values are bytes (a str is encoded); ``get`` waits for the key up to the timeout."""
import fcntl
import os
import socketserver
import struct
import threading
import time
from datetime import timedelta

from .transport import connect, receive_message, send_message

__all__ = ["FileStore", "Store", "TCPStore"]

_DEFAULT_TIMEOUT = timedelta(seconds=300)


def _as_bytes(value):
    return value.encode() if isinstance(value, str) else bytes(value)


def _seconds(timeout):
    return timeout.total_seconds() if isinstance(timeout, timedelta) else float(timeout)


class Store:
    """What every store offers: ``set``, ``get``, ``add``, ``wait``, ``check``."""

    def __init__(self, timeout=_DEFAULT_TIMEOUT):
        self.timeout = timeout

    def set_timeout(self, timeout):
        self.timeout = timeout

    def wait(self, keys, timeout=None):
        for key in keys:
            self._get(key, _seconds(timeout or self.timeout))

    def get(self, key):
        return self._get(key, _seconds(self.timeout))


class _StoreServer(socketserver.ThreadingTCPServer):
    daemon_threads = allow_reuse_address = True

    def __init__(self, address):
        self.values, self.changed = {}, threading.Condition()
        super().__init__(address, _StoreHandler)


class _StoreHandler(socketserver.BaseRequestHandler):
    def handle(self):
        server = self.server
        while True:
            try:
                command, key, value = receive_message(self.request)
            except (ConnectionError, OSError):
                return
            with server.changed:
                if command == "set":
                    server.values[key] = value
                    server.changed.notify_all()
                elif command == "add":
                    value = int(server.values.get(key, b"0")) + value
                    server.values[key] = str(value).encode()
                    server.changed.notify_all()
                elif command == "get":  # value: how long to wait for the key
                    found = server.changed.wait_for(lambda: key in server.values, timeout=value)
                    value = server.values[key] if found else None
                elif command == "check":
                    value = all(k in server.values for k in key)
                elif command == "delete":
                    value = server.values.pop(key, None) is not None
            send_message(self.request, value)


class TCPStore(Store):
    """``TCPStore(host_name, port, world_size=None, is_master=False, timeout=timedelta(seconds=300))``: the master
    serves the keys (port 0: any free port, read back from ``port``), everyone connects to it."""

    def __init__(self, host_name, port, world_size=None, is_master=False, timeout=_DEFAULT_TIMEOUT,
                 wait_for_workers=True, multi_tenant=False):
        super().__init__(timeout)
        self.host, self.world_size, self._server = host_name, world_size, None
        if is_master:
            self._server = _StoreServer((host_name, port))
            port = self._server.server_address[1]
            threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.port = port
        self._lock = threading.Lock()
        self._socket = connect(host_name, port, _seconds(timeout))

    def _call(self, command, key, value=None):
        with self._lock:
            send_message(self._socket, (command, key, value))
            return receive_message(self._socket)

    def set(self, key, value):
        self._call("set", key, _as_bytes(value))

    def _get(self, key, timeout):
        value = self._call("get", key, timeout)
        if value is None:
            raise TimeoutError(f"TCPStore: timed out after {timeout} s waiting for key {key!r}")
        return value

    def add(self, key, amount):
        return self._call("add", key, int(amount))

    def check(self, keys):
        return self._call("check", list(keys))

    def delete_key(self, key):
        return self._call("delete", key)

    def local_address(self):
        """The address this process reaches the store from: where the others can reach it too."""
        return self._socket.getsockname()[0]

    def close(self):
        self._socket.close()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


class FileStore(Store):
    """``FileStore(file_name, world_size=-1)``: the keys in a file shared by the processes (module docstring)."""

    def __init__(self, file_name, world_size=-1, timeout=_DEFAULT_TIMEOUT):
        super().__init__(timeout)
        self.path, self.world_size = file_name, world_size
        self.add("__users__", 1)

    def _locked(self, update):
        with open(self.path, "a+b") as file:
            fcntl.flock(file, fcntl.LOCK_EX)
            file.seek(0)
            result = update(_records(file.read()))
            if isinstance(result, tuple):  # (new key, new value, returned)
                key = result[0].encode()
                file.write(_LENGTH.pack(len(key)) + key + _LENGTH.pack(len(result[1])) + result[1])
                return result[2]
            return result

    def set(self, key, value):
        self._locked(lambda values: (key, _as_bytes(value), None))

    def _get(self, key, timeout):
        deadline = time.monotonic() + timeout
        while True:
            value = self._locked(lambda values: values.get(key))
            if value is not None:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"FileStore: timed out after {timeout} s waiting for key {key!r}")
            time.sleep(0.005)

    def add(self, key, amount):
        def increment(values):
            total = int(values.get(key, b"0")) + int(amount)
            return key, str(total).encode(), total
        return self._locked(increment)

    def check(self, keys):
        return self._locked(lambda values: all(k in values for k in keys))

    def local_address(self):
        """The processes sharing a file are taken to run on one machine."""
        return "127.0.0.1"

    def close(self):
        if self.add("__users__", -1) == 0:  # the last process out removes the file
            os.unlink(self.path)


_LENGTH = struct.Struct("<I")  # a record is a key and a value (bytes), each after its length


def _records(data):
    """``{key: value}`` of the file's records, a later record of a key replacing an earlier one (no pickle: a
    file that another program wrote runs no code here)."""
    values, at = {}, 0
    while at < len(data):
        (key_length,) = _LENGTH.unpack_from(data, at)
        key = data[at + 4:at + 4 + key_length].decode()
        at += 4 + key_length
        (value_length,) = _LENGTH.unpack_from(data, at)
        values[key] = data[at + 4:at + 4 + value_length]
        at += 4 + value_length
    return values
