"""Response headers that Django 5.2 does not set itself; gzip that keeps streamed pages streaming."""

import io
import secrets
from collections.abc import Callable, Iterable, Iterator
from gzip import GzipFile

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware import gzip


class PermissionsPolicyMiddleware:
    """Permissions-Policy: the browser features pages may use (settings.PERMISSIONS_POLICY)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class GZipMiddleware(gzip.GZipMiddleware):
    """Django's gzip, except that a streamed page stays streamed: each chunk is sent as it comes.

    Why: Django's compressor holds chunks until it has enough to emit, so the rights result page,
    whose head is streamed before the simulation runs, showed nothing until the end (first paint
    5.3 s instead of ~2 s on a slow 3G link, bench/bench_pages.py).
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not response.streaming or response.is_async:
            return super().process_response(request, response)
        chunks = response.streaming_content
        response = super().process_response(request, response)
        if response.get("Content-Encoding") == "gzip":
            response.streaming_content = _gzip_flushing_each_chunk(chunks, self.max_random_bytes)
        return response


def _gzip_flushing_each_chunk(chunks: Iterable[bytes], max_random_bytes: int) -> Iterator[bytes]:
    """Gzip `chunks`, flushing after each one; a random-length name pads the output against BREACH."""
    buffer = io.BytesIO()
    name = secrets.token_hex(secrets.randbelow(max_random_bytes // 2) + 1)

    def take() -> bytes:
        data = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return data

    with GzipFile(filename=name, mode="wb", compresslevel=6, fileobj=buffer, mtime=0) as stream:
        for chunk in chunks:
            stream.write(chunk)
            stream.flush()
            yield take()
    yield take()
