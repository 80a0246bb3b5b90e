"""Test doubles shipped with k2batch for tests, benchmarks and users' own pipelines: an instant
backend (`instant`), an OpenAI-compatible server with quotas and faults (`quota_server`), and a
real S3 endpoint on 127.0.0.1 (`moto_s3`, needs the `dev` extra's moto). Nothing here is used by
a job unless a test registers it."""

from __future__ import annotations

import contextlib
import os


@contextlib.contextmanager
def moto_s3():
    """A real S3 endpoint on 127.0.0.1 (moto), with the environment pointing at it."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    import s3fs

    s3fs.S3FileSystem.clear_instance_cache()  # fsspec caches clients with the endpoint they saw
    try:
        yield
    finally:
        server.stop()
        s3fs.S3FileSystem.clear_instance_cache()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
