"""Pages are compressed for browsers that ask; a streamed page is compressed chunk by chunk, still streamed."""

import zlib

import pytest
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory

from carteblanche.core.middleware import GZipMiddleware


@pytest.mark.django_db
def test_pages_are_compressed_for_browsers_that_ask(client):
    response = client.get("/", headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert "Content-Encoding" not in client.get("/").headers


def test_a_streamed_page_sends_its_head_before_the_rest_is_computed():
    produced = []

    def page():
        for part in (b"<html><head><title>Vos droits</title></head>" * 3, b"<p>long computation done</p>"):
            produced.append(part)
            yield part

    request = RequestFactory().get("/", headers={"accept-encoding": "gzip"})
    response = GZipMiddleware(lambda r: StreamingHttpResponse(page()))(request)
    assert response["Content-Encoding"] == "gzip"
    chunks = iter(response.streaming_content)
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    head = inflate.decompress(next(chunks))
    assert head.startswith(b"<html><head><title>Vos droits</title>") and len(produced) == 1
    rest = b"".join(inflate.decompress(c) for c in chunks) + inflate.flush()
    assert (head + rest).endswith(b"<p>long computation done</p>") and len(produced) == 2


def test_short_and_unrequested_responses_are_left_alone():
    middleware = GZipMiddleware(lambda r: HttpResponse(b"ok"))
    assert not middleware(RequestFactory().get("/", headers={"accept-encoding": "gzip"})).has_header("Content-Encoding")
