"""How a database is named to the user: the window's title says which one is open."""
from __future__ import annotations

from app.db.location import DatabaseChoice, normalise_url


def test_a_file_is_named_by_its_file_name_and_a_server_database_by_its_name_and_server(tmp_path):
    local = DatabaseChoice(normalise_url(str(tmp_path / "training.db")), "command line")
    server = DatabaseChoice(normalise_url("postgresql://jane:secret@db1.council.local:5432/trigger"), "site settings")
    assert local.short_name() == "training.db"
    assert server.short_name() == "trigger on db1.council.local"
    assert "secret" not in server.short_name() and "jane" not in server.short_name()
