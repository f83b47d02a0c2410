"""An S3-compatible server for the backend tests: moto in server mode on 127.0.0.1.

Binds an ephemeral port (port 0) so that tests running at the same time never collide, prints
"port <n>" once it listens, and serves until its standard input closes (the test process ended).
"""

import logging
import sys
import threading

from werkzeug.serving import make_server
from moto.moto_server.threaded_moto_server import MotoRequestHandler
from moto.server import DomainDispatcherApplication, create_backend_app


def main() -> None:
    # One log line a request would fill the stderr pipe of a parent that is not reading it (the
    # benchmark waits in spawnSync while the CLI reads thousands of objects) and stall the server.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    print(f"port {server.server_port}", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
