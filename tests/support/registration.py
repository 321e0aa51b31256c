"""Test helpers shared by several test modules (from tests/test_registration.py)."""

from __future__ import annotations


async def register(
    user,
    *,
    name="Budi Santoso",
    nrp="87654321",
    rank="BRIPKA",
    unit="Unit Binkamsa",
    role="Banit (anggota unit)",
    until_area=False,
) -> None:
    await user.send("/start")
    await user.press("📝 Daftar")
    await user.send(name)
    await user.send(nrp)
    await user.press(rank)
    await user.press(unit)
    await user.press(role)
    if until_area:
        return
    await pick_area(user)
    await user.press("✅ Kirim")


async def pick_area(user, kecamatan="Kec. Kota Barat", kelurahan=("Dembe I",)) -> None:
    """Tick ``kelurahan`` of ``kecamatan`` at the area step and press done."""
    await user.press(kecamatan)
    for name in kelurahan:
        await user.press(f"⬜ {name}")
    await user.press(f"✅ Selesai ({len(kelurahan)})")
