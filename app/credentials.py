"""The shared database's password in the operating system's keyring; never written to disk in plain text."""
from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from sqlalchemy.engine import URL

SERVICE = "Community Trigger Case Manager"


class KeyringUnavailable(RuntimeError):
    """No keyring on this computer (a headless Linux session, say): ask for the password each session."""


class PasswordNotGiven(RuntimeError):
    """The user was asked for the password and cancelled."""


def _keyring() -> ModuleType:
    """The keyring package, imported when a server's password is first wanted: an embedded database
    never needs it, and importing it took 56 ms of every start-up."""
    import keyring
    import keyring.errors  # noqa: F401 - `keyring.errors` is used through the package
    return keyring


def account(url: URL) -> str:
    """One keyring entry per login role, server and database: 'jane@db.council.local:5432/trigger'."""
    return f"{url.username or ''}@{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def get_password(url: URL) -> str | None:
    """The stored password, or None when there is none or no keyring (keyring raises, never returns None)."""
    keyring = _keyring()
    try:
        return keyring.get_password(SERVICE, account(url))
    except keyring.errors.KeyringError:
        return None


def set_password(url: URL, password: str) -> None:
    keyring = _keyring()
    try:
        keyring.set_password(SERVICE, account(url), password)
    except keyring.errors.KeyringError as exc:
        # Deliberately no plain-text fallback: a password file on a shared desktop is readable by others.
        raise KeyringUnavailable(
            "This computer has no keyring to keep the database password safely "
            f"({type(exc).__name__}). Ask for the password and use it for this session only.") from exc


def delete_password(url: URL) -> None:
    """Forget a stored password (after the server refused it, say). Nothing stored is not an error."""
    keyring = _keyring()
    try:
        keyring.delete_password(SERVICE, account(url))
    except keyring.errors.PasswordDeleteError:
        return
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(f"The keyring could not be reached ({type(exc).__name__}).") from exc


def keyring_available() -> bool:
    keyring = _keyring()
    try:
        keyring.get_password(SERVICE, "probe")
    except keyring.errors.KeyringError:
        return False
    return True


def url_with_password(url: URL, ask: Callable[[str], str | None], *, remember: bool = True) -> URL:
    """The URL with its password: as given, from the keyring, or asked for (and kept if a keyring exists).

    `ask` receives the question to show (it says whether the password will be remembered) and returns
    the password, or None if the user cancelled (PasswordNotGiven is raised then).
    """
    if url.get_backend_name() == "sqlite" or url.password:
        return url
    keyring = _keyring()
    try:
        stored = keyring.get_password(SERVICE, account(url))
        has_keyring = True
    except keyring.errors.KeyringError:
        stored, has_keyring = None, False
    if stored:
        return url.set(password=stored)
    where = f"{url.username or 'your login'} on {url.host or 'localhost'}"
    if has_keyring and remember:
        question = f"Password for the database ({where}). It will be kept in this computer's keyring."
    else:
        question = (f"Password for the database ({where}). This computer has no keyring, so it is used for "
                    "this session only and you will be asked again next time." if not has_keyring else
                    f"Password for the database ({where}), for this session only.")
    password = ask(question)
    if not password:
        raise PasswordNotGiven("No password was given, so the shared database cannot be opened.")
    if has_keyring and remember:
        try:
            set_password(url, password)
        except KeyringUnavailable:
            pass  # the keyring went away between the two calls: the password still works this session
    return url.set(password=password)
