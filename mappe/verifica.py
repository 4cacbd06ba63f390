"""Check a comune's store: file integrity, schema, values, geometries, ids and references."""

from __future__ import annotations

import geopandas as gpd

from .archivio import STRATI_CON_FOTO, Archivio, Area, ids_in_celle
from .catalogo import CAMPI_NUOVI, STRATI_NUOVI
from .importa import CRS_METRICO, TOLLERANZA_M
from .lingue import originale_di

__all__ = ["verifica_archivio"]


def verifica_archivio(area: Area, archivio: Archivio) -> list[str]:
    """Every problem found in the store of ``archivio`` (empty when it is sound)."""
    problemi: list[str] = []
    guasto = archivio.integrita()
    if guasto:
        return [f"{guasto}: ripristinare l'ultima versione con 'mappe annulla'"]
    catalogo = area.catalogo
    tabelle = archivio.strati_presenti()
    presenti = set(tabelle)
    strati = {}
    for nome, strato in catalogo.strati.items():
        if nome not in presenti:
            if nome not in STRATI_NUOVI:  # a layer added by a later version comes at its first write
                problemi.append(f"manca lo strato {nome}")
            continue
        campi_file = tabelle[nome]
        for campo in strato.campi:
            # fields added by later versions (photos, follow-through) reach an older store at its next write
            if campo not in campi_file and campo not in CAMPI_NUOVI.get(nome, ()) and not originale_di(campo, nome):
                problemi.append(f"strato {nome}: manca la colonna '{campo}' del catalogo")
        strati[nome] = archivio.leggi(nome)
    confine = archivio.confine().geometry.union_all()
    zona_ok = gpd.GeoSeries([confine], crs="EPSG:4326").to_crs(CRS_METRICO).iloc[0].buffer(TOLLERANZA_M)

    for nome, df in strati.items():
        strato = catalogo.strati[nome]
        ids = df["id"]
        for i in ids[ids.isna()].index:
            problemi.append(f"strato {nome}, riga {i + 1}: manca l'id")
        for doppio in sorted(set(ids[ids.duplicated() & ids.notna()])):
            problemi.append(f"strato {nome}: l'id '{doppio}' compare più volte")
        for campo in strato.campi.values():
            if campo.nome not in df.columns:
                continue
            valori = df[campo.nome]
            if campo.obbligatorio:
                for i in valori[valori.isna()].index:
                    problemi.append(f"strato {nome}, id {df.at[i, 'id']}: il campo obbligatorio '{campo.nome}' è vuoto")
            if campo.valori:
                ammessi = set(catalogo.voci(campo.valori))
                for i, v in valori.dropna().items():
                    parti = str(v).split("|") if campo.tipo == "lista" else [str(v)]
                    for p in parti:
                        if p not in ammessi:
                            problemi.append(
                                f"strato {nome}, id {df.at[i, 'id']}: il valore '{p}' di '{campo.nome}' non è nel catalogo"
                            )
        if isinstance(df, gpd.GeoDataFrame):
            g = df.geometry
            presenti_g = g.notna() & ~g.is_empty.fillna(False)
            for i in df.index[presenti_g & ~g.is_valid.fillna(True)]:
                problemi.append(f"strato {nome}, id {df.at[i, 'id']}: la forma non è valida (si incrocia da sola)")
            if presenti_g.any():
                dentro = g[presenti_g].to_crs(CRS_METRICO).within(zona_ok)
                for i in dentro.index[~dentro]:
                    problemi.append(f"strato {nome}, id {df.at[i, 'id']}: la posizione è fuori dal comune")

    c = strati.get("contributi")
    if c is not None:
        incontri = set(strati["incontri"]["id"]) if "incontri" in strati else set()
        luoghi = set(strati["luoghi"]["id"]) if "luoghi" in strati else set()
        contributi = set(c["id"])
        for r in c.itertuples():
            if r.incontro and r.incontro not in incontri:
                problemi.append(f"contributo {r.id}: l'incontro '{r.incontro}' non esiste")
            if r.luogo and r.luogo not in luoghi:
                problemi.append(f"contributo {r.id}: il luogo '{r.luogo}' non esiste")
            for x in (r.risponde_a or "").split("|"):
                if x and x not in contributi:
                    problemi.append(f"contributo {r.id}: risponde a '{x}', che non esiste")
        if "consenso" in c.columns:
            for r in c.itertuples():
                if r.consenso in (None, "nessuno"):
                    motivo = "senza consenso: non esce mai in pubblico" if r.consenso == "nessuno" else \
                        "manca il consenso (scritto, orale o nessuno): compilarlo con 'mappe modifica'"
                    problemi.append(f"contributo {r.id}: {motivo}")
        for r in strati["iniziative"].itertuples() if "iniziative" in strati else ():
            for x in (r.risponde_a or "").split("|"):
                if x and x not in contributi:
                    problemi.append(f"iniziativa {r.id}: risponde a '{x}', che non esiste")
            if r.luogo and r.luogo not in luoghi:
                problemi.append(f"iniziativa {r.id}: il luogo '{r.luogo}' non esiste")
        if "riscontri" in strati:
            iniziative = set(strati["iniziative"]["id"]) if "iniziative" in strati else set()
            for r in strati["riscontri"].itertuples():
                if r.su and r.su not in contributi and r.su not in luoghi and r.su not in iniziative:
                    problemi.append(f"riscontro {r.id}: si riferisce a '{r.su}', che non esiste")
    # Every photo a row shows is in the store.
    presenti_foto = None
    for nome in STRATI_CON_FOTO:
        df = strati.get(nome)
        if df is None or "foto" not in df.columns or not df["foto"].notna().any():
            continue
        presenti_foto = archivio.foto_presenti() if presenti_foto is None else presenti_foto
        for r in df[df["foto"].notna()].itertuples():
            for fid in sorted(ids_in_celle([r.foto]) - presenti_foto):
                problemi.append(f"strato {nome}, id {r.id}: la foto '{fid}' non è nell'archivio (importarla di nuovo "
                                "con il foglio che la nomina)")
    # Ids are unique across the comuni of the workspace: feedback is routed by id alone.
    propri = set(c["id"]) if c is not None else set()
    for altro in area.archivi():
        if altro.slug == archivio.slug or not propri:
            continue
        comuni_ids = propri & set(altro.leggi("contributi")["id"])
        for x in sorted(comuni_ids)[:20]:
            problemi.append(f"contributo {x}: lo stesso id è usato anche in {altro.nome}")
    return problemi
