"""Word lists for the demo cases: names, west Kent places, incidents and what agencies wrote.

Everything here is made up. Telephone numbers come from Ofcom's ranges kept for drama (07700 900xxx,
01632 960xxx) and e-mail addresses use the reserved example domains, so no demo letter or call can
reach a real person.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from app.domain.dates import add_months

Place = tuple[str, str, int]  # town, street, house number

FIRST_NAMES_F = ("Sarah", "Emma", "Claire", "Rachel", "Helen", "Joanne", "Laura", "Charlotte",
                 "Sophie", "Amy", "Lucy", "Hannah", "Gemma", "Jane", "Susan", "Margaret", "Patricia",
                 "Linda", "Karen", "Nicola", "Priya", "Asha", "Aisha", "Fatima", "Agnieszka",
                 "Kamala", "Sunita", "Chloe", "Megan", "Olivia", "Grace", "Eileen", "Doreen", "Beverley")
FIRST_NAMES_M = ("David", "John", "Paul", "Mark", "James", "Michael", "Andrew", "Richard", "Peter",
                 "Stephen", "Daniel", "Thomas", "Christopher", "Matthew", "Gary", "Kevin", "Ian",
                 "Robert", "Alan", "Graham", "Raj", "Mohammed", "Tomasz", "Bishnu", "Dil", "Liam",
                 "Ryan", "Jack", "Harry", "George", "Keith", "Derek", "Barry", "Colin")
SURNAMES = ("Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
            "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
            "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood",
            "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King",
            "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis",
            "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter",
            "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards",
            "Khan", "Marsh", "Gurung", "Rai", "Limbu", "Kowalski", "Nowak", "Begum", "Ahmed", "O'Brien",
            "Fuller", "Skinner", "Hoad", "Pankhurst", "Wickens", "Funnell", "Ashdown", "Sands")
TITLES_F = ("Mrs", "Ms", "Miss", "Ms", "Mrs", "Dr")
TITLES_M = ("Mr", "Mr", "Mr", "Dr")

# (town, postcode districts, streets): the borough and its neighbours, TN1 to TN12.
PLACES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Royal Tunbridge Wells", ("TN1", "TN2", "TN4"),
     ("Camden Road", "Calverley Road", "Grosvenor Road", "Upper Grosvenor Road", "St John's Road",
      "Silverdale Road", "Sandrock Road", "Hanover Road", "Quarry Road", "Auckland Road",
      "Ravenswood Avenue", "Sherwood Road", "Greggs Wood Road", "Showfields Road", "Ramslye Road",
      "Bayhall Road", "Forest Road", "Hawkenbury Road", "Culverden Park Road", "Dunstan Road",
      "Stone Street", "Albion Road", "Newcomen Road", "Mount Ephraim", "Madeira Park",
      "Goods Station Road", "Sussex Road", "Kingswood Road")),
    ("Southborough", ("TN4",),
     ("London Road", "Pennington Road", "Holden Park Road", "Park Road", "Victoria Road",
      "Prospect Road", "Birchwood Avenue", "Powder Mill Lane", "Speldhurst Road")),
    ("Rusthall", ("TN4",), ("High Street", "Lower Green Road", "Southwood Road", "Rusthall Road")),
    ("Pembury", ("TN2",), ("Hastings Road", "Lower Green Road", "Henwoods Mount", "Belfield Road")),
    ("Langton Green", ("TN3",), ("Speldhurst Road", "Lampington Row", "Farmcombe Close")),
    ("Paddock Wood", ("TN12",),
     ("Commercial Road", "Maidstone Road", "Church Road", "Allington Road", "Ringden Avenue",
      "Mascalls Court Road", "Warrington Road", "Nursery Road", "Station Road")),
    ("Horsmonden", ("TN12",), ("Back Lane", "Goudhurst Road", "Orchard Crescent")),
    ("Wadhurst", ("TN5",), ("High Street", "Lower High Street", "Sparrows Green Road")),
    ("Crowborough", ("TN6",), ("Beacon Road", "Church Road", "Whitehill Road")),
    ("Hartfield", ("TN7",), ("High Street", "Church Street")),
    ("Edenbridge", ("TN8",), ("High Street", "Stangrove Road", "Crouch House Road")),
    ("Tonbridge", ("TN9", "TN10", "TN11"),
     ("High Street", "Shipbourne Road", "Quarry Hill Road", "Priory Road", "Barden Road",
      "Brook Street", "Higham Lane")),
)
PLACE_WEIGHTS = (46, 12, 5, 5, 3, 12, 2, 2, 2, 1, 2, 8)
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in the last part of a UK postcode
BLOCKS = ("Ashdown Court", "Calverley Court", "Hilbert House", "Weald View", "Medway House",
          "Ferndale Point", "Bayham Court", "Sherwood House")
LANDMARKS = ("Grosvenor and Hilbert Park", "Calverley Grounds", "Dunorlan Park", "The Pantiles",
             "Southborough Common", "Memorial Park, Paddock Wood", "Royal Victoria Place car park",
             "Tunbridge Wells station forecourt", "the Camden Road shops", "St John's Recreation Ground",
             "Paddock Wood station car park", "Showfields play area")
ORGANISATIONS = ("Camden Road Traders' Association", "Sherwood Community Association",
                 "St Barnabas Church", "Paddock Wood Allotment Society", "Ravenswood Residents' Group",
                 "The Hare and Hounds", "Greggs Wood Tenants' Association", "Southborough Hub Cafe",
                 "Silverdale Road Neighbourhood Watch", "Pembury Village Hall Committee")
REPRESENTATIVE_ORGS = {"councillor": "Tunbridge Wells Borough Council", "mp": "Constituency office",
                       "professional": ("Citizens Advice West Kent", "Kent Adult Social Care",
                                        "Victim Support", "Porchlight", "Town and Country Housing")}
RELATIONSHIPS = ("family", "family", "friend", "carer", "councillor", "mp", "professional", "other")

# ASB types and what happened, as an applicant would put it.
ASB: dict[str, tuple[str, ...]] = {
    "noise": ("Loud music from the flat above until 3am.", "Shouting and banging doors late at night.",
              "Dog barking for hours while the owners are out.",
              "Party with music past 1am; could not sleep.", "Revving motorbikes outside until midnight."),
    "verbal abuse": ("Neighbour shouted abuse at me when I came home.",
                     "Swore at my children while they were playing in the garden.",
                     "Called me names in the street in front of other people."),
    "vandalism": ("Car tyres slashed overnight.", "Wing mirror kicked off the car.",
                  "Graffiti sprayed on the garden wall.", "Fence panels pulled down.",
                  "Plant pots smashed on the doorstep."),
    "drug dealing": ("Cars pulling up for a few minutes at a time; looks like drug dealing.",
                     "Strong smell of cannabis coming through the walls all evening.",
                     "Needles left in the communal stairwell.", "Group dealing in the alley behind the shops."),
    "harassment": ("Neighbour filmed me over the fence on their phone.",
                   "Followed me to the bus stop making comments.", "Notes pushed through my door.",
                   "Stood outside my window staring for an hour."),
    "intimidation": ("Threatened to 'sort me out' if I called the police again.",
                     "Group blocked the path and would not let me past."),
    "youth nuisance": ("Group of teenagers kicking a ball at the windows.",
                       "Youths climbing on the garage roofs and throwing stones.",
                       "Young people drinking in the stairwell and leaving bottles."),
    "fly-tipping": ("Rubbish bags dumped in the shared garden again.",
                    "Mattress and fridge dumped at the end of the alley."),
    "street drinking": ("Men drinking on the bench by the shop and urinating in the doorway.",),
    "nuisance vehicles": ("Car repairs and paint spraying in the street every day.",
                          "Van parked across my drive so I could not get out."),
}
HATE = ("Racist abuse shouted at me from the balcony.", "Homophobic comments about my partner and me.",
        "Abuse about my disability when I was on my mobility scooter.")
REPORTED_BY = ("applicant", "applicant", "applicant", "victim", "neighbour", "family member")
HOW_REPORTED = ("phone", "phone", "101", "online", "email", "in person", "letter")
UNKNOWN_ORGS = ("Neighbourhood Watch", "the letting agent", "Southern Water", "Royal Mail",
                "my MP's office", "Crimestoppers", "the school", "Stagecoach")
IMPACTS = ("Cannot sleep; exhausted at work.", "Afraid to leave the house after dark.",
           "The children are frightened to play outside.", "My health has got worse because of the stress.",
           "We are thinking of moving away.", "Customers have stopped coming to the shop.",
           "I do not feel safe in my own home.")
VULNERABILITIES = ("Lives alone; registered disabled.", "Elderly; early dementia.",
                   "Mental health condition; anxiety made worse.", "Young children in the household.",
                   "Recently bereaved.", "Carer for a disabled son.")
DESIRED = ("The noise at night to stop.", "To feel safe in my home again.", "For the agencies to work together.",
           "The behaviour to stop and for someone to take it seriously.", "To be moved to another property.",
           "Action against the people responsible.")
ACCESSIBILITY = ("Large print letters", "Please phone after 4pm", "Needs an interpreter (Nepali)",
                 "Hard of hearing: email only", "Letters in easy read", "Needs an interpreter (Polish)")
PERPETRATORS = ("Occupants of number {n}", "Group of youths, about six, on bikes",
                "Man in his 40s with a brown Staffordshire bull terrier", "Tenant of the flat above",
                "Unknown men in a silver hatchback", "Woman at number {n} and her visitors",
                "Teenagers from the estate", "The household at number {n}")
OFFICERS = ("s.patel", "j.hughes", "m.obrien", "a.kowalski", "r.thompson", "l.green", "k.gurung", "d.marsh")
SENIOR_OFFICERS = ("t.ashdown", "h.wickens", "p.funnell")
# The made-up colleagues' names, so that lists show names as they would (their logins are switched off).
OFFICER_NAMES = {"s.patel": "Sita Patel", "j.hughes": "Jack Hughes", "m.obrien": "Maeve O'Brien",
                 "a.kowalski": "Anna Kowalski", "r.thompson": "Ruth Thompson", "l.green": "Leon Green",
                 "k.gurung": "Kamala Gurung", "d.marsh": "David Marsh", "t.ashdown": "Tom Ashdown",
                 "h.wickens": "Helen Wickens", "p.funnell": "Priya Funnell"}
CHAIRS = ("Chief Inspector R. Hale, Kent Police", "Head of Community Safety, TWBC",
          "ASB Manager, Town and Country Housing", "Community Safety Partnership chair")
VENUES = ("Town Hall, Committee Room A", "Town Hall, Committee Room B", "Southborough Hub, Meeting Room 2",
          "Online (Microsoft Teams)")

# Details added to the app's own reason (workflow_actions.NOT_ACCEPTED_REASONS), by its code.
NOT_ACCEPTED = (("not_asb", "a boundary dispute between neighbours, which is a civil matter"),
                ("not_asb", "a single argument about parking, which is not persistent"),
                ("outside_area", "the address is in Sevenoaks district; passed to that council"),
                ("service_complaint", "about the housing repairs service"),
                ("service_complaint", "about how a noise complaint was handled by the council"))
WITHDRAWN = ("The applicant moved away.", "The problem stopped after the neighbour moved out.",
             "The applicant did not want the agencies to be contacted.", "Resolved through mediation.",
             "The applicant no longer wishes to go ahead; no reason given.")
NOT_MET_ACTIONS = ("Referred to the housing provider's ASB team for mediation.",
                   "Neighbourhood policing team to visit and give words of advice.",
                   "Diary sheets sent; each new incident to be reported to 101 or the council.",
                   "Noise monitoring equipment offered by the Environmental Protection team.",
                   "Case to be discussed at the monthly ASB multi-agency meeting.")
DISCRETION = ("the victim is vulnerable and the harassment is persistent",
              "the potential for harm is high (threats of violence)",
              "the behaviour has gone on for over a year and is escalating")

# What each kind of agency reports doing (matched on words in the agency's kind).
ACTIONS: dict[str, tuple[str, ...]] = {
    "police": ("PCSO visited the address and gave words of advice.", "Incident logged; crime reference issued.",
               "Community Protection Warning issued.", "Patrols increased in the area for two weeks.",
               "Suspect arrested for criminal damage and released under investigation."),
    "council": ("Noise diary sheets sent to the complainant.", "Noise monitoring equipment installed for a week.",
                "Warning letter sent to the alleged perpetrator.", "Case discussed at the ASB multi-agency meeting."),
    "housing": ("Tenancy warning letter sent.", "Acceptable Behaviour Contract signed.",
                "Mediation offered to both households.", "Notice of Seeking Possession served."),
    "health": ("Referral to the community mental health team.", "GP informed with the patient's consent."),
    "other": ("Safe and well visit carried out.", "Referred to the early help team.",
              "Abandoned vehicle removed."),
}
DOCUMENTS = ("incident log", "case notes", "tenancy file", "chronology", "letter")
FINDINGS = ("Each agency dealt with the incidents separately and nobody saw the pattern.",
            "The victim's vulnerability was not identified at first contact.",
            "Agencies acted appropriately, but the victim was not kept informed.",
            "Information was not shared between the police and the housing provider.",
            "The risk assessment was not reviewed when the behaviour escalated.",
            "Reports made online were not linked to the earlier telephone calls.")
RECOMMENDATIONS = (("Carry out a joint home visit with the victim within 14 days.", "The victim has not met the agencies together."),
                   ("Complete a new risk assessment and share it with partners.", "The last assessment is out of date."),
                   ("Install noise monitoring equipment for two weeks.", "To gather evidence of the noise at night."),
                   ("Consider a Community Protection Notice.", "Warnings have not changed the behaviour."),
                   ("Offer mediation to both households.", "Both sides are willing to talk."),
                   ("Give the victim a single point of contact.", "The victim has dealt with five officers."),
                   ("Review the tenancy and consider enforcement action.", "The behaviour breaches the tenancy."),
                   ("Refer the victim to Victim Support.", "The victim asked for emotional support."),
                   ("Increase patrols around the problem location at weekends.", "Most incidents are on Friday and Saturday nights."))
INFO_CONSIDERED = ("Chronologies from the agencies, the application and the incident logs.",
                   "Agency chronologies, the victim's diary sheets and the risk assessment.",
                   "The application, agency chronologies and a written impact statement.")
REVIEW_DECISIONS = ("Recommendations agreed; letter to the applicant.",
                    "The agencies' response was appropriate; no further action recommended.")
SR_GROUNDS = ("The panel did not consider the impact on my children.",
              "I was not told about the panel meeting in time to give a statement.",
              "The threshold decision ignored incidents I reported to the housing officer.",
              "The recommendations do not deal with the drug dealing.")
SR_REVIEWERS = ("Head of Community Safety (not previously involved)", "Chief Inspector, Kent Police",
                "Director of Housing Services, Town and Country Housing", "Assistant Chief Executive, TWBC")
SR_OUTCOMES = (("not_upheld", "The application was handled correctly and the panel's response was reasonable."),
               ("partly_upheld", "The panel's response was reasonable, but the applicant was not kept informed."),
               ("upheld", "The panel did not consider all of the incidents; a further recommendation is made."))


def person(rng: random.Random, *, title: str | None = None, organisation: str | None = None,
           last: str | None = None) -> tuple[dict[str, Any], str, Place]:
    """A made-up person's row values, their name as written, and where they live."""
    town, districts, streets = rng.choices(PLACES, PLACE_WEIGHTS)[0]
    female = rng.random() < 0.55
    first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
    last = last or rng.choice(SURNAMES)
    title = title or rng.choice(TITLES_F if female else TITLES_M)
    street, number = rng.choice(streets), rng.randint(1, 160)
    flat = f"Flat {rng.randint(1, 24)}, {rng.choice(BLOCKS)}" if rng.random() < 0.2 else None
    postcode = (f"{rng.choice(districts)} {rng.randint(1, 9)}"
                f"{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}")
    phone = None if rng.random() < 0.15 else (f"07700 900{rng.randrange(1000):03d}" if rng.random() < 0.6
                                              else f"01632 960{rng.randrange(1000):03d}")
    domain = rng.choice(("example.org", "example.com", "example.net"))
    email = f"{first}.{last}{rng.randint(1, 99)}@{domain}".lower().replace("'", "") if rng.random() < 0.6 else None
    preferred = "email" if email and rng.random() < 0.6 else "phone" if phone and rng.random() < 0.5 else "letter"
    values = dict(
        title=title, first_name=first, last_name=last, organisation=organisation,
        address="\n".join(x for x in (flat, f"{number} {street}", town) if x), postcode=postcode,
        phone=phone, email=email, preferred_contact=preferred,
        date_of_birth=date(rng.randint(1935, 2006), rng.randint(1, 12), rng.randint(1, 28))
        if rng.random() < 0.35 else None,
        accessibility_needs=rng.choice(ACCESSIBILITY) if rng.random() < 0.07 else None)
    return values, f"{title} {first} {last}", (town, street, number)


def problem_location(rng: random.Random, where: Place) -> str | None:
    town, street, number = where
    if rng.random() < 0.25:
        return None
    return rng.choice((f"Outside {number + 2} {street}, {town}",
                       f"{street}, {town}, outside numbers {number} to {number + 8}",
                       f"The alleyway behind {street}, {town}", rng.choice(LANDMARKS)))


def perpetrator(rng: random.Random, where: Place) -> dict[str, Any]:
    town, street, number = where
    n = max(1, number + rng.choice((-2, 2, 4)))
    named = rng.random() < 0.4
    return dict(name=f"{rng.choice(FIRST_NAMES_M + FIRST_NAMES_F)} {rng.choice(SURNAMES)}" if named else None,
                description=None if named and rng.random() < 0.5 else rng.choice(PERPETRATORS).format(n=n),
                address=f"{n} {street}, {town}" if rng.random() < 0.6 else None)


def incident_dates(rng: random.Random, kind: str,
                   received: date) -> tuple[date | None, date | None, date | None, date]:
    """(occurred, from, to, reported) that make an incident count or not, by the default rule."""
    days = timedelta
    if kind == "late":  # reported more than a month after it happened
        occurred = received - days(rng.randint(40, 170))
        return occurred, None, None, occurred + days(rng.randint(32, min(90, (received - occurred).days)))
    if kind == "old":  # reported more than six months before the application
        occurred = received - days(rng.randint(200, 400))
        return occurred, None, None, occurred + days(rng.randint(0, 14))
    if kind == "approx":  # "sometime in March": to confirm
        start = (received - days(rng.randint(20, 150))).replace(day=1)
        end = min(add_months(start, 1) - days(1), received)
        return None, start, end, start + days(rng.randint(0, (end - start).days))
    occurred = received - days(rng.randint(0, 150))
    delay = min(rng.choice((0, 0, 1, 1, 2, 3, 7, 14, 25)), (received - occurred).days)
    return occurred, None, None, occurred + days(delay)


def contact_and_reference(rng: random.Random, agency: str, year: int) -> tuple[str | None, str | None]:
    """Who took the report and the agency's reference, in each agency's style."""
    police = "Police" in agency
    contact = (f"PC {rng.choice(SURNAMES)}" if police else f"{rng.choice(FIRST_NAMES_F)} {rng.choice(SURNAMES)}")
    initials = "".join(w[0] for w in agency.split() if w[0].isupper())
    reference = f"46/{rng.randint(10000, 99999)}/{year % 100:02d}" if police else f"{initials}-{rng.randint(1000, 99999)}"
    return (contact if rng.random() < 0.6 else None), (reference if rng.random() < 0.7 else None)


def action_kind(kind: str) -> str:
    """Which list of ACTIONS fits an agency, from the words in its kind."""
    kind = kind.casefold()
    for word in ("police", "housing", "health"):
        if word in kind:
            return word
    return "council" if kind.startswith("council") else "other"
