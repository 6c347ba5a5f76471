"""core/redact.py: secrets never reach a log handler; ids that merely look similar stay readable."""

from __future__ import annotations

import io
import logging
import string
import threading
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from assetdesk.core.redact import MARK, RedactingFilter, Redactor, install, without_url_queries

TOKEN = "user:4242-Zx81TyQw0pLmN3vB"
FLOW_ID = "user:12345-email:6a6f406578616d706c652e636f6d-image:ff9aa5cc-0b1d"
RUNWAY_ID = "user:777-runwayml:jo@example.com-asset:3f2a9c1d-1111"


def test_registered_secret_is_replaced_everywhere() -> None:
    redactor = Redactor()
    redactor.register("wb-key-5ecr3t")
    out = redactor.redact("key=wb-key-5ecr3t, again wb-key-5ecr3t.")
    assert out == f"key={MARK}, again {MARK}."


def test_url_encoded_form_of_a_secret_is_replaced() -> None:
    redactor = Redactor()
    redactor.register("a/b+c=d secret")
    assert redactor.redact("q=" + quote("a/b+c=d secret", safe="")) == f"q={MARK}"


def test_token_shapes_are_replaced_without_registration() -> None:
    redactor = Redactor()
    assert redactor.redact(f"Authorization: Bearer {TOKEN}") == f"Authorization: Bearer {MARK}"
    assert redactor.redact(f"sent {quote(TOKEN, safe='')}!") == f"sent {MARK}!"


@pytest.mark.parametrize(
    "text",
    [
        FLOW_ID,
        RUNWAY_ID,
        "user:1-abcdefghijk:rest",  # 8+ letters then ':' is an id part, not a token
        "user:1-abc",  # too short to be a token
        "superuser:1-abcdefghij",  # 'user' inside a longer word
    ],
)
def test_ids_that_look_like_tokens_stay_readable(text: str) -> None:
    assert Redactor().redact(text) == text


def test_short_secrets_are_not_registered() -> None:
    redactor = Redactor()
    redactor.register("abc")
    redactor.register("")
    redactor.register(None)
    assert redactor.redact("abc abc") == "abc abc"
    assert "abc" not in redactor


def test_longest_secret_wins() -> None:
    redactor = Redactor()
    redactor.register("secret")
    redactor.register("secret-and-more")
    assert redactor.redact("x secret-and-more y") == f"x {MARK} y"


def test_registering_from_many_threads_loses_nothing() -> None:
    redactor = Redactor()
    secrets = [f"secret-number-{i:04d}" for i in range(200)]
    barrier = threading.Barrier(8)

    def worker(chunk: list[str]) -> None:
        barrier.wait()
        for secret in chunk:
            redactor.register(secret)
            redactor.redact(secret)

    threads = [threading.Thread(target=worker, args=(secrets[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert redactor.redact(" ".join(secrets)) == " ".join([MARK] * len(secrets))


secret_text = st.text(string.ascii_letters + string.digits + "-_.:/+=", min_size=4, max_size=40)


@given(secret_text, st.text(), st.text())
def test_a_registered_secret_never_survives(secret: str, before: str, after: str) -> None:
    assume(secret not in MARK)
    redactor = Redactor()
    redactor.register(secret)
    out = redactor.redact(before + secret + after)
    assert secret not in out
    assert MARK in out


@given(st.from_regex(r"user:[0-9]{1,12}-[A-Za-z0-9]{8,40}", fullmatch=True), st.text(" ,;(\n"))
def test_every_token_shaped_string_is_hidden(token: str, around: str) -> None:
    out = Redactor().redact(around + token + around)
    assert token not in out


# ---- logging ------------------------------------------------------------------------------------


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO, Redactor]]:
    """A named logger tree writing to a real StreamHandler, with redaction installed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    logger = logging.getLogger("assetdesk_redact_test")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(handler)
    redactor = Redactor()
    install(redactor, logger.name)
    try:
        yield logger, stream, redactor
    finally:
        logger.removeHandler(handler)
        logger.filters.clear()


def test_log_args_are_formatted_then_redacted(
    captured: tuple[logging.Logger, io.StringIO, Redactor],
) -> None:
    logger, stream, redactor = captured
    redactor.register("wb-key-5ecr3t")
    logger.info("logging in with %s and %r", "wb-key-5ecr3t", {"token": TOKEN})
    text = stream.getvalue()
    assert "wb-key-5ecr3t" not in text
    assert TOKEN not in text
    assert text.count(MARK) == 2


def test_records_from_child_loggers_are_redacted(
    captured: tuple[logging.Logger, io.StringIO, Redactor],
) -> None:
    logger, stream, redactor = captured
    redactor.register("child-secret-value")
    logging.getLogger(logger.name + ".providers").warning("got child-secret-value back")
    assert stream.getvalue().strip().endswith(f"got {MARK} back")


def test_tracebacks_are_redacted(captured: tuple[logging.Logger, io.StringIO, Redactor]) -> None:
    logger, stream, redactor = captured
    redactor.register("trace-secret-value")
    try:
        raise ValueError("refused key trace-secret-value")
    except ValueError:
        logger.exception("call failed")
    text = stream.getvalue()
    assert "Traceback" in text
    assert "trace-secret-value" not in text
    assert f"refused key {MARK}" in text


def test_a_broken_format_string_is_still_logged_redacted() -> None:
    redactor = Redactor()
    redactor.register("broken-secret")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "value %d", ("broken-secret",), None)
    assert RedactingFilter(redactor).filter(record)
    assert "broken-secret" not in record.getMessage()
    assert MARK in record.getMessage()


def test_a_quoted_link_loses_its_signed_query() -> None:
    said = (
        "Could not open https://storage.googleapis.com/b/clip.mp4?X-Goog-Signature=abc123&"
        "X-Goog-Expires=600: 403 (and http://127.0.0.1:9/x.png#frag too)"
    )
    assert without_url_queries(said) == (
        "Could not open https://storage.googleapis.com/b/clip.mp4?… 403 "  # to the blank
        "(and http://127.0.0.1:9/x.png?… too)"
    )
    assert without_url_queries("no link here?") == "no link here?"
