"""free_port(): a port on 127.0.0.1 that is free now, for a QEMU forward or a UDP tunnel that a
test owns (parallel tests never share one). Shared by the net, block and bench scripts."""
import socket


def free_port(kind=socket.SOCK_STREAM):
    """A free TCP port, or with kind=socket.SOCK_DGRAM a free UDP port."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
