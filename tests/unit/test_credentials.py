"""The database password in the keyring: an in-memory backend, and a computer that has no keyring."""
from __future__ import annotations

from collections.abc import Iterator

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend

from app.credentials import (SERVICE, KeyringUnavailable, PasswordNotGiven, account, delete_password,
                             get_password, keyring_available, set_password, url_with_password)
from app.db.location import normalise_url

URL = normalise_url("postgresql://jane@db.council.local:5432/trigger")


class MemoryKeyring(KeyringBackend):
    """Holds passwords in a dict for the test; never touches the real keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not stored")


class NoKeyring(KeyringBackend):
    """What a headless Linux session has: every call raises NoKeyringError (it never returns None)."""

    priority = 0  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.calls.append("get")
        raise keyring.errors.NoKeyringError("No recommended backend was available.")

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls.append("set")
        raise keyring.errors.NoKeyringError("No recommended backend was available.")

    def delete_password(self, service: str, username: str) -> None:
        self.calls.append("delete")
        raise keyring.errors.NoKeyringError("No recommended backend was available.")


@pytest.fixture
def use_keyring() -> Iterator:
    previous = keyring.get_keyring()

    def install(backend: KeyringBackend) -> KeyringBackend:
        keyring.set_keyring(backend)
        return backend

    yield install
    keyring.set_keyring(previous)


def test_round_trip_in_an_in_memory_keyring(use_keyring):
    memory = use_keyring(MemoryKeyring())
    assert keyring_available() and get_password(URL) is None
    set_password(URL, "s3cret")
    assert memory.store == {(SERVICE, "jane@db.council.local:5432/trigger"): "s3cret"}
    assert get_password(URL) == "s3cret"
    delete_password(URL)
    delete_password(URL)  # forgetting twice is fine
    assert get_password(URL) is None


def test_a_stored_password_fills_the_url_without_asking(use_keyring):
    use_keyring(MemoryKeyring()).store[(SERVICE, account(URL))] = "s3cret"
    filled = url_with_password(URL, ask=lambda _q: pytest.fail("should not ask"))
    assert filled.password == "s3cret" and filled.username == "jane"
    assert "s3cret" not in filled.render_as_string(hide_password=True)


def test_a_password_asked_for_is_kept_in_the_keyring(use_keyring):
    memory = use_keyring(MemoryKeyring())
    questions: list[str] = []
    filled = url_with_password(URL, ask=lambda q: questions.append(q) or "typed")
    assert filled.password == "typed" and "keyring" in questions[0]
    assert memory.store == {(SERVICE, account(URL)): "typed"}
    url_with_password(URL, ask=lambda _q: pytest.fail("asked twice"))


def test_without_a_keyring_the_password_is_asked_for_this_session_and_nothing_is_stored(use_keyring, tmp_path,
                                                                                      monkeypatch):
    monkeypatch.chdir(tmp_path)
    missing = use_keyring(NoKeyring())
    assert get_password(URL) is None and not keyring_available()
    questions: list[str] = []
    filled = url_with_password(URL, ask=lambda q: questions.append(q) or "typed")
    assert filled.password == "typed"
    assert "this session only" in questions[0]
    assert "set" not in missing.calls  # not even attempted
    assert list(tmp_path.iterdir()) == []  # and no plain-text fallback anywhere
    assert keyring.get_keyring() is missing
    with pytest.raises(KeyringUnavailable, match="for this session only"):
        set_password(URL, "typed")
    with pytest.raises(KeyringUnavailable):
        delete_password(URL)


def test_cancelling_the_question_is_reported(use_keyring):
    use_keyring(NoKeyring())
    with pytest.raises(PasswordNotGiven):
        url_with_password(URL, ask=lambda _q: None)


def test_sqlite_and_a_url_with_a_password_are_left_alone(use_keyring):
    use_keyring(NoKeyring())
    local = normalise_url("sqlite:///cases.db")
    assert url_with_password(local, ask=lambda _q: pytest.fail("asked")) is local
    given = URL.set(password="given")
    assert url_with_password(given, ask=lambda _q: pytest.fail("asked")) is given
