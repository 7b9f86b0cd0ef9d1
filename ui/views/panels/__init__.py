"""Panel meetings: the meetings, their agendas and members, the review records, recommendations."""
