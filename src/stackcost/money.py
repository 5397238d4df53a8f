"""Money conventions, in one place: exact Decimals, one rounding to the cent (half up) per line, AWS's
730-hour month, and how amounts are written for people (USD and KRW).

A KRW amount is always shown with the rate and its date (there is no built-in exchange rate).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MONTHS_PER_YEAR = 12
HOURS_PER_MONTH = Decimal(730)  # AWS bills a month as 730 hours (8,760 / 12)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def usd(value: Decimal | None, *, signed: bool = False) -> str:
    """$1,234.56 (−$3.20 for negatives; +$3.20 with `signed`; — for no amount)."""
    if value is None:
        return "—"
    v = cents(value)
    sign = "−" if v < 0 else ("+" if signed and v > 0 else "")
    return f"{sign}${abs(v):,.2f}"


def krw(value_usd: Decimal, rate: Decimal) -> str:
    """₩ rounded to the won (KRW has no minor unit in billing)."""
    won = (value_usd * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    sign = "−" if won < 0 else ""
    return f"{sign}₩{abs(won):,}"


class View:
    """How amounts are shown besides USD: KRW at a given rate and date (never a built-in rate) and VAT."""

    def __init__(self, krw_rate: Decimal | None = None, krw_date: str = "", vat: Decimal | None = None) -> None:
        self.krw_rate = krw_rate
        self.krw_date = krw_date
        self.vat = vat

    @property
    def krw(self) -> bool:
        return self.krw_rate is not None

    def krw_note(self) -> str:
        assert self.krw_rate is not None
        return f"KRW at {self.krw_rate:,} per USD (rate of {self.krw_date}, given with --krw-rate)"

    def vat_of(self, amount: Decimal) -> Decimal:
        return cents(amount * (self.vat or 0))

    def to_json(self, total_usd: Decimal) -> dict[str, object]:
        out: dict[str, object] = {}
        if self.vat is not None:
            v = self.vat_of(total_usd)
            out["vat"] = {"rate": str(self.vat), "monthly_usd": str(v),
                          "total_monthly_with_vat_usd": str(total_usd + v)}
        if self.krw_rate is not None:
            gross = total_usd + (self.vat_of(total_usd) if self.vat is not None else 0)
            won = (gross * self.krw_rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            out["krw"] = {"rate": str(self.krw_rate), "rate_date": self.krw_date, "total_monthly_krw": str(won),
                          "includes_vat": self.vat is not None}
        return out
