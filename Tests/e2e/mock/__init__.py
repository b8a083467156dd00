"""Recording mock of the providers' HTTP APIs (stdlib only). See server.py."""
from .common import JsonReply, StreamReply
from .server import Headers, MockUpstream, Recorded, Script

__all__ = ["MockUpstream", "Script", "Recorded", "Headers", "JsonReply", "StreamReply"]
