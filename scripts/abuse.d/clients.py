"""The attackers' tools: JSON over HTTP, raw sockets, and a minimal graphql-transport-ws client."""
import base64
import http.client
import json
import os
import socket
import struct


class Server:
    def __init__(self, host, port):
        self.host, self.port = host, port

    def request(self, method, path, body=None, token=None, headers=None, source=None, timeout=30):
        """One request on its own connection: (status, headers, parsed JSON or text)."""
        connection = http.client.HTTPConnection(
            self.host, self.port, timeout=timeout, source_address=(source, 0) if source else None)
        sent = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent.setdefault("content-type", "application/json")
        if token:
            sent["authorization"] = f"Bearer {token}"
        try:
            connection.request(method, path, body=data, headers=sent)
            response = connection.getresponse()
            raw = response.read()
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = raw.decode(errors="replace")
            return response.status, dict(response.getheaders()), parsed
        finally:
            connection.close()

    def token(self, email, password):
        status, _, body = self.request("POST", "/api/v1/auth/token", {"email": email, "password": password})
        if status != 200:
            raise RuntimeError(f"login of {email} answered {status}: {body}")
        return body["accessToken"]

    def raw(self, source=None, timeout=10):
        """A plain TCP connection, from another loopback address when `source` is given."""
        connection = socket.create_connection(
            (self.host, self.port), timeout=timeout, source_address=(source, 0) if source else None)
        return connection


def status_of(data):
    """The status code of the first response line in `data`, if any."""
    line = data.split(b"\r\n", 1)[0].split()
    return int(line[1]) if len(line) >= 2 and line[0].startswith(b"HTTP/1.") else None


def read_until_closed(connection, limit=1 << 16):
    """What arrives until the server closes (or the socket's timeout), and whether it closed."""
    received = b""
    try:
        while len(received) < limit:
            chunk = connection.recv(4096)
            if not chunk:
                return received, True
            received += chunk
    except socket.timeout:
        return received, False
    except OSError:
        return received, True
    return received, False


class GraphQLSocket:
    """graphql-transport-ws over a hand-made WebSocket (masked client frames, text only)."""

    def __init__(self, server, token=None, source=None, timeout=10):
        self.connection = server.raw(source=source, timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.connection.sendall(
            (
                f"GET /graphql HTTP/1.1\r\nhost: {server.host}\r\nupgrade: websocket\r\nconnection: Upgrade\r\n"
                f"sec-websocket-key: {key}\r\nsec-websocket-version: 13\r\n"
                "sec-websocket-protocol: graphql-transport-ws\r\n\r\n"
            ).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.connection.recv(4096)
            if not chunk:
                raise ConnectionError("closed during the upgrade")
            head += chunk
        if status_of(head) != 101:
            raise ConnectionError(f"no upgrade: {head[:200]!r}")
        self.buffer = head.split(b"\r\n\r\n", 1)[1]
        self.send({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"} if token else {}})
        ack = self.read()
        if ack.get("type") != "connection_ack":
            raise ConnectionError(f"no ack: {ack}")

    def send(self, message):
        payload = json.dumps(message).encode()
        mask = os.urandom(4)
        header = bytes([0x81])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
        self.connection.sendall(header + mask + masked)

    def _exactly(self, count):
        while len(self.buffer) < count:
            chunk = self.connection.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        taken, self.buffer = self.buffer[:count], self.buffer[count:]
        return taken

    def read(self):
        """The next text message as JSON; `{"type": "closed", "code": …}` for a close frame."""
        while True:
            first, second = self._exactly(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._exactly(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._exactly(8))[0]
            payload = self._exactly(length)
            opcode = first & 0x0F
            if opcode == 0x1:
                return json.loads(payload)
            if opcode == 0x8:
                code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
                return {"type": "closed", "code": code}
            if opcode == 0x9:  # ping: answer with a pong carrying the same payload
                mask = os.urandom(4)
                self.connection.sendall(
                    bytes([0x8A, 0x80 | len(payload)]) + mask
                    + bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload)))

    def subscribe(self, operation_id, query, variables=None):
        self.send({"id": operation_id, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}})

    def close(self):
        try:
            self.connection.close()
        except OSError:
            pass
