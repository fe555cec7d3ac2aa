"""The domain as data: the ten components, RATER groups, channels and the complaint taxonomy.

Source: ../shared/domain.md (seeds 000-003; Parasuraman, Zeithaml & Berry 1985 for the ten
determinants, 1988 for the five RATER dimensions). The store holds the same rows in the
`components` and `complaint_categories` tables, so a customer's own taxonomy is data, not code:
these constants seed a new store and label charts, nothing more.
"""

from __future__ import annotations

from typing import NamedTuple


class Component(NamedTuple):
    key: str
    name: str
    rater_group: str
    description: str


COMPONENTS: tuple[Component, ...] = (
    Component("security", "Security", "Assurance", "Zero risk, zero danger, zero doubt for the customer."),
    Component("credibility", "Credibility", "Assurance", "Truthful and honest; no over-promising to make a sale."),
    Component("communication", "Communication", "Empathy", "Customers kept informed in simple, clear language."),
    Component("understanding", "Understanding the customer", "Empathy", "Knowing what customers want, when and how."),
    Component("access", "Accessibility", "Empathy", "Many ways to reach us, and acting on what customers report."),
    Component("courtesy", "Courtesy", "Assurance", "Attention, empathy, respect and friendliness of staff."),
    Component("competence", "Professionalism", "Assurance", "Everyone has the skills and knowledge to serve."),
    Component("responsiveness", "Responsiveness", "Responsiveness", "Willingness to help; prompt, timely service."),
    Component("reliability", "Reliability", "Reliability", "The service is performed dependably, without failures."),
    Component("tangibles", "Tangibles", "Tangibles", "Facilities, equipment, staff and materials in good condition."),
)

RATER_GROUPS: tuple[str, ...] = ("Reliability", "Assurance", "Tangibles", "Empathy", "Responsiveness")

COMPONENT_NAMES: dict[str, str] = {c.key: c.name for c in COMPONENTS}

# Channels named by the source texts (seeds 002/003), as stored in tickets.channel and
# survey_responses.channel.
CHANNELS: tuple[str, ...] = ("Face to face", "Phone", "Fax", "Email", "Web", "Chat", "Social media")

SEGMENTS: tuple[str, ...] = ("Individual", "Premium", "Small business", "Corporate")

PRIORITIES: tuple[str, ...] = ("low", "normal", "high", "urgent")

TICKET_KINDS: tuple[str, ...] = ("complaint", "request", "compliment")


class Category(NamedTuple):
    category: str
    family: str
    component_key: str
    description: str


# Seed 000's complaint categories, each pointing at the component it reveals (domain.md).
COMPLAINT_CATEGORIES: tuple[Category, ...] = (
    Category("Function", "product", "reliability", "The product does not do what it should."),
    Category("Safety", "product", "security", "The product or service put the customer at risk."),
    Category("Quality", "product", "reliability", "Defects or poor workmanship."),
    Category("Transaction", "product", "credibility", "Incorrect or unfair transaction, billing or terms."),
    Category("Delivery", "product", "responsiveness", "Late, incomplete or wrong delivery."),
    Category("Culture", "product", "understanding", "Clashes with the customer's values or taste."),
    Category("Capability", "service", "competence", "Staff lacked the skills or knowledge."),
    Category("Attitude", "service", "courtesy", "Indifferent, rude or unhelpful attitude."),
    Category("Service quality", "service", "reliability", "Service below the promised standard."),
    Category("Etiquette", "service", "courtesy", "Poor manners or etiquette."),
    Category("Information", "service", "communication", "Unclear, missing or contradictory information."),
    Category("Access", "service", "access", "Hard to reach: queues, closed lines, no reply."),
    Category("Premises", "service", "tangibles", "Facilities, equipment or materials in poor condition."),
)

# Default targets in minutes: (first response, resolution) per channel at 'normal' priority.
# Seed 002/003: a five-star standard greets in 60 s and holds no call over 30 s.
BASE_TARGETS_MINUTES: dict[str, tuple[int, int]] = {
    "Face to face": (5, 60 * 24),
    "Phone": (2, 60 * 24),
    "Fax": (60 * 24, 60 * 24 * 5),
    "Email": (60 * 8, 60 * 24 * 3),
    "Web": (60 * 8, 60 * 24 * 3),
    "Chat": (3, 60 * 24 * 2),
    "Social media": (60, 60 * 24 * 2),
}
# Multipliers applied to the base target per priority.
PRIORITY_TARGET_FACTOR: dict[str, float] = {"low": 2.0, "normal": 1.0, "high": 0.5, "urgent": 0.25}


def service_targets() -> list[tuple[str, str, int, int]]:
    """Default service_targets rows: (channel, priority, first_response_minutes, resolution_minutes)."""
    rows = []
    for channel, (first, resolve) in BASE_TARGETS_MINUTES.items():
        for priority, factor in PRIORITY_TARGET_FACTOR.items():
            rows.append((channel, priority, max(1, round(first * factor)), max(1, round(resolve * factor))))
    return rows
