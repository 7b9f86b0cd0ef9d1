"""Type-ahead for agencies on the directory a new database is given: by name, by alias, by initials,
always offering the agency's whole name (the name an incident is then recorded against)."""
from __future__ import annotations

from dataclasses import replace

from app.services.agencies import directory as ag


def _directory(ctx) -> ag.AgencyDirectory:
    return ag.AgencyDirectory(ag.list_agencies(ctx))


def test_the_new_directory_is_the_shipped_one_without_aliases(ctx):
    # What the suggestions below are about: the directory seeded into every new database.
    assert sorted(_directory(ctx).names()) == sorted(name for name, *_ in ag.DEFAULT_AGENCIES)
    assert all(not a.aliases for a in ag.list_agencies(ctx))


def test_initials_suggest_the_council_with_no_alias_for_them(ctx):
    directory = _directory(ctx)
    assert directory.match("TWBC") is None  # not a match (nothing is counted on a guess), only a suggestion
    assert directory.suggest("TWBC")[0] == "Tunbridge Wells Borough Council"
    assert directory.suggest("twbc")[0] == "Tunbridge Wells Borough Council"  # as typed, any case
    assert directory.suggest("KCC")[0] == "Kent County Council"
    assert directory.suggest("KFRS")[0] == "Kent Fire and Rescue Service"  # 'and' is not an initial


def test_an_alias_suggests_its_agency_once_the_directory_has_it(ctx):
    assert "Tunbridge Wells Borough Council" not in _directory(ctx).suggest("ASB team")
    council = next(a for a in ag.list_agencies(ctx) if a.name == "Tunbridge Wells Borough Council")
    detail = ag.get_agency(ctx, council.id)
    ag.save_agency(ctx, detail.id, detail.version, replace(detail.as_input(), aliases=("ASB team",)))
    directory = _directory(ctx)
    assert directory.suggest("ASB team")[0] == "Tunbridge Wells Borough Council"
    assert directory.suggest("asb")[0] == "Tunbridge Wells Borough Council"  # the alias begins so
    assert "Tunbridge Wells Borough Council" in directory.suggest("team")  # a word of the alias


def test_suggestions_are_whole_names_never_the_alias_or_the_letters_typed(ctx):
    council = next(a for a in ag.list_agencies(ctx) if a.name == "Tunbridge Wells Borough Council")
    detail = ag.get_agency(ctx, council.id)
    ag.save_agency(ctx, detail.id, detail.version, replace(detail.as_input(), aliases=("ASB team",)))
    directory = _directory(ctx)
    names = set(directory.names())
    for typed in ("TWBC", "ASB team", "asb", "Kent", "police", "K", "hous", "NHS", "medway"):
        offered = directory.suggest(typed)
        assert offered, typed
        assert set(offered) <= names, (typed, offered)
    assert directory.suggest("Kent")[:3] == ["Kent County Council", "Kent Fire and Rescue Service", "Kent Police"]
    assert directory.suggest("police") == ["Kent Police"]
