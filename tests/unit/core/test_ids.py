"""core/ids.py: every parser gives a value or InvalidInput, and formats back exactly."""

from __future__ import annotations

import string
from urllib.parse import quote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from assetdesk.core.errors import InvalidInput
from assetdesk.core.ids import (
    FlowJobId,
    MediaGenerationId,
    RunwayAssetId,
    ScopeKind,
    WordbeeScope,
    WordbeeSegmentRef,
    check_email,
    check_useapi_token,
    parse_asset_ref,
    parse_reference,
    wordbee_key,
)

EMAIL = "jo.maker@example.com"
EMAIL_HEX = EMAIL.encode().hex()
FLOW_ID = f"user:12345-email:{EMAIL_HEX}-image:ff9aa5cc-0b1d-4c1e-9f3a-7d2e8c6b5a41"
RUNWAY_ID = "user:777-runwayml:jo.maker@example.com-asset:3f2a9c1d-1111-4aaa-8bbb-123456789abc"

# ---- strategies for valid values ---------------------------------------------------------------

_local = st.text(string.ascii_letters + string.digits + "._+-", min_size=1, max_size=20)
_label = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=12)
emails = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join(labels)}.{tld}",
    _local,
    st.lists(_label, min_size=1, max_size=3),
    st.text(string.ascii_lowercase, min_size=2, max_size=6),
)
user_ids = st.integers(min_value=0, max_value=10**18)
plain_ids = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp"), blacklist_characters="\x85"),
    min_size=1,
    max_size=40,
).filter(lambda s: s == s.strip() and not any(c.isspace() for c in s))
flow_ids = st.builds(
    MediaGenerationId,
    user_ids,
    emails,
    st.sampled_from(["image", "video", "character", "voice"]),
    plain_ids,
)
runway_ids = st.builds(RunwayAssetId, user_ids, emails, plain_ids)
scopes = st.builds(WordbeeScope, st.sampled_from(list(ScopeKind)), st.integers(0, 10**18))


def near_miss(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Valid texts with one character deleted, replaced or inserted: the likeliest bad pastes."""

    def mutate(text: str, position: int, char: str, how: int) -> str:
        i = position % (len(text) + 1)
        if how == 0:
            return text[:i] + text[i + 1 :]
        if how == 1:
            return text[:i] + char + text[i + 1 :]
        return text[:i] + char + text[i:]

    return st.builds(mutate, valid, st.integers(0, 200), st.characters(), st.integers(0, 2))


# ---- MediaGenerationId -------------------------------------------------------------------------


def test_parse_a_google_flow_id() -> None:
    parsed = MediaGenerationId.parse(FLOW_ID)
    internal = "ff9aa5cc-0b1d-4c1e-9f3a-7d2e8c6b5a41"
    assert parsed == MediaGenerationId(12345, EMAIL, "image", internal)
    assert str(parsed) == FLOW_ID
    assert parsed.email_hex == EMAIL_HEX
    assert parsed.short == "image ff9aa5cc…"


def test_whitespace_and_url_encoding_are_tolerated() -> None:
    assert str(MediaGenerationId.parse(f"  {FLOW_ID}\n")) == FLOW_ID
    assert str(MediaGenerationId.parse(quote(FLOW_ID, safe=""))) == FLOW_ID


def test_an_id_containing_percent_is_not_decoded_twice() -> None:
    text = f"user:1-email:{EMAIL_HEX}-image:abc%41def"
    assert str(MediaGenerationId.parse(text)) == text


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("", "the mediaGenerationId is empty"),
        ("   ", "the mediaGenerationId is empty"),
        ("12345-email:aa-image:x", "starts with 'user:'"),
        ("user:abc-email:aa-image:x", "must be digits"),
        ("user:12345", "ends after the user number"),
        ("user:12345-runway:aa-image:x", "missing the '-email:' part"),
        (f"user:1-email:{EMAIL_HEX[:-1]}z-image:x", "the email part is not valid hex"),
        (f"user:1-email:{EMAIL_HEX[:-1]}-image:x", "odd number of digits"),
        ("user:1-email:ff-image:x", "does not decode to text"),
        (f"user:1-email:{b'nobody'.hex()}-image:x", "does not decode to an email address"),
        (f"user:1-email:{EMAIL_HEX}", "missing the '-image:' or '-video:' part"),
        (f"user:1-email:{EMAIL_HEX}-imagex", "missing the '-image:' or '-video:' part"),
        (f"user:1-email:{EMAIL_HEX}-audio:x", "the kind 'audio' is not one of image, video"),
        (f"user:1-email:{EMAIL_HEX}-image:", "internal id after '-image:' is empty"),
        (f"user:1-email:{EMAIL_HEX}-image:a b", "contains spaces"),
    ],
)
def test_bad_flow_ids_say_what_is_wrong(text: str, sentence: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        MediaGenerationId.parse(text)
    assert sentence in str(caught.value)


@pytest.mark.parametrize("kind", ["character", "voice"])
def test_character_and_voice_refs_are_not_assets(kind: str) -> None:
    text = f"user:1-email:{EMAIL_HEX}-{kind}:abc"
    assert MediaGenerationId.parse(text).kind == kind
    with pytest.raises(InvalidInput) as caught:
        MediaGenerationId.parse(text, asset_only=True)
    assert f"this is a {kind} reference, not an image or video asset" in str(caught.value)
    with pytest.raises(InvalidInput):
        MediaGenerationId.parse(text).require_asset()
    with pytest.raises(InvalidInput):
        parse_asset_ref(text)


@given(flow_ids)
def test_flow_id_round_trips(value: MediaGenerationId) -> None:
    assert MediaGenerationId.parse(str(value)) == value
    assert str(MediaGenerationId.parse(str(value))) == str(value)


@given(st.one_of(st.text(), near_miss(flow_ids.map(str))))
@example("user:1-email:%-image:x")
@example("user%3A1-email%3A%FF")
def test_flow_id_parse_gives_a_value_or_invalid_input(text: str) -> None:
    try:
        value = MediaGenerationId.parse(text)
    except InvalidInput as error:
        assert str(error)
        return
    assert MediaGenerationId.parse(str(value)) == value


# ---- RunwayAssetId ------------------------------------------------------------------------------


def test_parse_a_runway_id() -> None:
    parsed = RunwayAssetId.parse(RUNWAY_ID)
    assert parsed == RunwayAssetId(777, EMAIL, "3f2a9c1d-1111-4aaa-8bbb-123456789abc")
    assert str(parsed) == RUNWAY_ID
    assert str(RunwayAssetId.parse(quote(RUNWAY_ID, safe=""))) == RUNWAY_ID


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("user:7-email:aa-asset:x", "missing the '-runwayml:' part"),
        ("user:7-runwayml:jo@example.com", "missing the '-asset:' part"),
        ("user:7-runwayml:jo-asset:x", "is not an email address"),
        ("user:7-runwayml:jo@example.com-asset:", "asset id after '-asset:' is empty"),
    ],
)
def test_bad_runway_ids_say_what_is_wrong(text: str, sentence: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        RunwayAssetId.parse(text)
    assert sentence in str(caught.value)


@given(runway_ids)
def test_runway_id_round_trips(value: RunwayAssetId) -> None:
    assert RunwayAssetId.parse(str(value)) == value


@given(st.one_of(st.text(), near_miss(runway_ids.map(str))))
def test_runway_parse_gives_a_value_or_invalid_input(text: str) -> None:
    try:
        value = RunwayAssetId.parse(text)
    except InvalidInput:
        return
    assert RunwayAssetId.parse(str(value)) == value


# ---- parse_asset_ref ----------------------------------------------------------------------------


def test_parse_asset_ref_picks_by_shape() -> None:
    assert isinstance(parse_asset_ref(FLOW_ID), MediaGenerationId)
    assert isinstance(parse_asset_ref(RUNWAY_ID), RunwayAssetId)
    with pytest.raises(InvalidInput) as caught:
        parse_asset_ref("3f2a9c1d-1111-4aaa-8bbb-123456789abc")
    assert "neither a Google Flow mediaGenerationId" in str(caught.value)


@given(st.one_of(st.text(), near_miss(flow_ids.map(str)), near_miss(runway_ids.map(str))))
def test_parse_asset_ref_gives_a_value_or_invalid_input(text: str) -> None:
    try:
        value = parse_asset_ref(text)
    except InvalidInput:
        return
    assert parse_asset_ref(str(value)) == value
    if isinstance(value, MediaGenerationId):
        assert value.kind in {"image", "video"}


# ---- parse_reference (what the Library's "Add by id" accepts) --------------------------------


def test_parse_reference_picks_by_shape() -> None:
    assert isinstance(parse_reference(f"  {FLOW_ID}\n"), MediaGenerationId)
    assert isinstance(parse_reference(RUNWAY_ID), RunwayAssetId)
    assert parse_reference("pr1234/5678") == WordbeeSegmentRef.parse("pr1234/5678")
    assert isinstance(parse_reference("JBS12:5"), WordbeeSegmentRef)
    assert parse_reference(" pr1234 ") == WordbeeScope.parse("pr1234")  # a project to follow


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("", "nothing was pasted"),
        ("   ", "nothing was pasted"),
        ("3f2a9c1d-1111-4aaa-8bbb-123456789abc", "neither a Google Flow mediaGenerationId"),
        ("pr12x4", "a Wordbee scope is"),
        ("pr1234/x", "the segment id after '/' in the Wordbee segment reference must be digits"),
        ("user:12", "nor a Runway asset id"),  # a "user…" paste is a useapi.net id
    ],
)
def test_parse_reference_says_what_is_wrong(text: str, sentence: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_reference(text)
    assert sentence in str(caught.value)


def test_wordbee_key_joins_where_a_file_lives() -> None:
    assert wordbee_key("pr1", 5, None, None, "a.png") == "pr1/5///a.png"
    assert wordbee_key("pr1", 5, "fr-FR", "\\refs\\old\\", "a.png") == "pr1/5/fr-FR/refs/old/a.png"


# ---- WordbeeScope -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "number", "formatted"),
    [
        ("pr1234", ScopeKind.PROJECT, 1234, "pr1234"),
        (" jbs7 ", ScopeKind.STANDARD_JOB, 7, "jbs7"),
        ("JBC0042", ScopeKind.CODYT_JOB, 42, "jbc42"),
    ],
)
def test_wordbee_scopes(text: str, kind: ScopeKind, number: int, formatted: str) -> None:
    scope = WordbeeScope.parse(text)
    assert (scope.kind, scope.number, str(scope)) == (kind, number, formatted)


@pytest.mark.parametrize("text", ["", "pr", "12", "job12", "pr-1", "pr 12", "jb12", "pr1.5"])
def test_bad_wordbee_scopes(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        WordbeeScope.parse(text)
    assert "Wordbee scope" in str(caught.value)


@given(scopes)
def test_wordbee_scope_round_trips(scope: WordbeeScope) -> None:
    assert WordbeeScope.parse(str(scope)) == scope


@given(st.one_of(st.text(), near_miss(scopes.map(str))))
def test_wordbee_parse_gives_a_value_or_invalid_input(text: str) -> None:
    try:
        scope = WordbeeScope.parse(text)
    except InvalidInput:
        return
    assert WordbeeScope.parse(str(scope)) == scope


# ---- tokens and emails --------------------------------------------------------------------------


def test_token_is_stripped_and_accepted() -> None:
    assert check_useapi_token("  user:123-AbC987xyz\n") == "user:123-AbC987xyz"
    assert check_useapi_token("Bearer user:123-AbC987xyz") == "user:123-AbC987xyz"


@pytest.mark.parametrize(
    "token",
    ["user:123-abc$defghij", "user:12x-abcdefgh", "sk-abcdefghijkl", "user:123-abc def", "user:1-"],
)
def test_bad_token_sentence_never_echoes_the_token(token: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_useapi_token(token)
    message = str(caught.value)
    assert "token" in message
    assert token not in message
    secret_part = token.split("-", 1)[-1]
    assert not secret_part or secret_part not in message


@given(st.text())
def test_token_check_gives_a_value_or_invalid_input(text: str) -> None:
    try:
        token = check_useapi_token(text)
    except InvalidInput as error:
        secret_part = text.strip().partition("-")[2]
        if len(secret_part) >= 6:
            assert secret_part not in str(error)
        return
    assert check_useapi_token(token) == token


@given(st.from_regex(r"user:[0-9]{1,12}-[A-Za-z0-9]{1,40}", fullmatch=True))
def test_every_token_shaped_text_is_accepted(token: str) -> None:
    assert check_useapi_token(token) == token


def test_emails() -> None:
    assert check_email("  jo@example.com ") == "jo@example.com"
    bad_ones = ["", "jo", "jo@", "@example.com", "jo@example", "jo@@example.com", "j o@x.com"]
    for bad in bad_ones:
        with pytest.raises(InvalidInput):
            check_email(bad)


@given(emails)
def test_generated_emails_are_accepted(email: str) -> None:
    assert check_email(email) == email


@given(st.text())
def test_email_check_gives_a_value_or_invalid_input(text: str) -> None:
    try:
        email = check_email(text)
    except InvalidInput:
        return
    assert check_email(email) == email


def test_a_google_flow_job_id_is_told_from_a_media_id() -> None:
    job = "j1234567v-u777-email:jo***@gmail.com-bot:google-flow"
    parsed = parse_reference(f" {job}\n")
    assert isinstance(parsed, FlowJobId)
    assert (str(parsed), parsed.user_id, parsed.short) == (job, 777, "job j1234567v")
    with pytest.raises(InvalidInput) as caught:
        FlowJobId.parse("j1-email:x-bot:google-flow")
    assert "Google Flow job id" in caught.value.message
