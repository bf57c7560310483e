"""ISO 19115 metadata in its ISO 19139 XML encoding, for the Circular 04/2023 delivery.

Circular 04/2023/TT-BKHĐT (Art. 7.2) asks for metadata per khoản 4 Điều 45 of the Law on
Surveying and Mapping, Phụ lục I of QCVN 42:2020/BTNMT and TCVN 12687:2019 ("Cơ sở dữ liệu địa
lý – Xây dựng siêu dữ liệu"). Those texts are not available offline; QCVN 42:2020 applies the ISO
19100 family, so the record here is the ISO 19115 core written as ISO 19139 XML (``gmd``/``gco``),
which GeoNetwork, QGIS and ArcGIS read [I]. Each record states: identifier, language (vie),
character set (utf8), hierarchy level, contact, date stamp, the reference system (EPSG code and
name: the delivery CRS), title, dates, abstract, keywords (the theme), licence, geographic extent
(WGS 84 bounding box) and temporal extent (the plan period), distribution formats and lineage
(the layers' provenance).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date

NS = {
    "gmd": "http://www.isotc211.org/2005/gmd",
    "gco": "http://www.isotc211.org/2005/gco",
    "gml": "http://www.opengis.net/gml/3.2",
    "xlink": "http://www.w3.org/1999/xlink",
}
for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)

_CODELISTS = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml"


@dataclass
class Record:
    """What one metadata record says (one dataset, or the whole package as a series)."""

    identifier: str
    title: str
    abstract: str
    level: str  # "dataset" or "series"
    organisation: str
    crs_code: str  # "EPSG:9205"
    crs_name: str
    bbox_wgs84: tuple[float, float, float, float]  # west, south, east, north
    period: tuple[date, date]
    published: date
    keywords: list[str] = field(default_factory=list)
    licence: str = ""
    lineage: str = ""
    formats: list[tuple[str, str]] = field(default_factory=list)  # (name, version)
    parent: str | None = None
    stamp: date = field(default_factory=date.today)


def _q(tag: str) -> str:
    prefix, name = tag.split(":")
    return f"{{{NS[prefix]}}}{name}"


def _el(parent: ET.Element, path: str) -> ET.Element:
    """Create the chain of elements ``a/b/c`` under ``parent``; return the last."""
    node = parent
    for tag in path.split("/"):
        node = ET.SubElement(node, _q(tag))
    return node


def _text(parent: ET.Element, path: str, value: str) -> None:
    _el(parent, path + "/gco:CharacterString").text = value


def _code(parent: ET.Element, path: str, codelist: str, value: str) -> None:
    node = _el(parent, path + f"/gmd:{codelist}")
    node.set("codeList", f"{_CODELISTS}#{codelist}")
    node.set("codeListValue", value)
    node.text = value


def _date(parent: ET.Element, path: str, value: date, kind: str) -> None:
    ci = _el(parent, path + "/gmd:CI_Date")
    _el(ci, "gmd:date/gco:Date").text = value.isoformat()
    _code(ci, "gmd:dateType", "CI_DateTypeCode", kind)


def _party(parent: ET.Element, path: str, organisation: str, role: str) -> None:
    party = _el(parent, path + "/gmd:CI_ResponsibleParty")
    _text(party, "gmd:organisationName", organisation)
    _code(party, "gmd:role", "CI_RoleCode", role)


def to_xml(rec: Record) -> bytes:
    """The record as ISO 19139 XML (UTF-8, with declaration)."""
    root = ET.Element(_q("gmd:MD_Metadata"))
    _text(root, "gmd:fileIdentifier", rec.identifier)
    lang = _el(root, "gmd:language/gmd:LanguageCode")
    lang.set("codeList", "http://www.loc.gov/standards/iso639-2/")
    lang.set("codeListValue", "vie")
    lang.text = "vie"
    _code(root, "gmd:characterSet", "MD_CharacterSetCode", "utf8")
    if rec.parent:
        _text(root, "gmd:parentIdentifier", rec.parent)
    _code(root, "gmd:hierarchyLevel", "MD_ScopeCode", rec.level)
    _party(root, "gmd:contact", rec.organisation, "pointOfContact")
    _el(root, "gmd:dateStamp/gco:Date").text = rec.stamp.isoformat()
    _text(root, "gmd:metadataStandardName", "TCVN 12687:2019 / ISO 19115:2003 (ISO 19139 XML)")
    _text(root, "gmd:metadataStandardVersion", "2003/Cor.1:2006")
    rs = _el(
        root,
        "gmd:referenceSystemInfo/gmd:MD_ReferenceSystem/"
        "gmd:referenceSystemIdentifier/gmd:RS_Identifier",
    )
    _text(rs, "gmd:code", rec.crs_code)  # "EPSG:9205"
    _text(rs, "gmd:codeSpace", rec.crs_code.partition(":")[0])
    _text(rs, "gmd:version", rec.crs_name)  # the CRS's name: "VN-2000 / TM-3 103-00"

    ident = _el(root, "gmd:identificationInfo/gmd:MD_DataIdentification")
    cit = _el(ident, "gmd:citation/gmd:CI_Citation")
    _text(cit, "gmd:title", rec.title)
    _date(cit, "gmd:date", rec.published, "publication")
    _text(cit, "gmd:identifier/gmd:MD_Identifier/gmd:code", rec.identifier)
    _text(ident, "gmd:abstract", rec.abstract)
    _text(ident, "gmd:purpose", "Cơ sở dữ liệu hồ sơ quy hoạch tỉnh theo Thông tư 04/2023/TT-BKHĐT")
    _code(ident, "gmd:status", "MD_ProgressCode", "completed")
    _party(ident, "gmd:pointOfContact", rec.organisation, "owner")
    if rec.keywords:
        kw = _el(ident, "gmd:descriptiveKeywords/gmd:MD_Keywords")
        for word in rec.keywords:
            _text(kw, "gmd:keyword", word)
        _code(kw, "gmd:type", "MD_KeywordTypeCode", "theme")
    if rec.licence:
        _text(
            ident,
            "gmd:resourceConstraints/gmd:MD_LegalConstraints/gmd:otherConstraints",
            rec.licence,
        )
    _code(ident, "gmd:spatialRepresentationType", "MD_SpatialRepresentationTypeCode", "vector")
    lang = _el(ident, "gmd:language/gmd:LanguageCode")
    lang.set("codeList", "http://www.loc.gov/standards/iso639-2/")
    lang.set("codeListValue", "vie")
    lang.text = "vie"
    _code(ident, "gmd:characterSet", "MD_CharacterSetCode", "utf8")
    _el(ident, "gmd:topicCategory/gmd:MD_TopicCategoryCode").text = "planningCadastre"
    extent = _el(ident, "gmd:extent/gmd:EX_Extent")
    box = _el(extent, "gmd:geographicElement/gmd:EX_GeographicBoundingBox")
    west, south, east, north = rec.bbox_wgs84
    for tag, value in (
        ("westBoundLongitude", west),
        ("eastBoundLongitude", east),
        ("southBoundLatitude", south),
        ("northBoundLatitude", north),
    ):
        _el(box, f"gmd:{tag}/gco:Decimal").text = f"{value:.6f}"
    period = _el(extent, "gmd:temporalElement/gmd:EX_TemporalExtent/gmd:extent/gml:TimePeriod")
    period.set(_q("gml:id"), "plan-period")
    _el(period, "gml:beginPosition").text = rec.period[0].isoformat()
    _el(period, "gml:endPosition").text = rec.period[1].isoformat()

    dist = _el(root, "gmd:distributionInfo/gmd:MD_Distribution")
    for name, version in rec.formats:
        fmt = _el(dist, "gmd:distributionFormat/gmd:MD_Format")
        _text(fmt, "gmd:name", name)
        _text(fmt, "gmd:version", version)
    dq = _el(root, "gmd:dataQualityInfo/gmd:DQ_DataQuality")
    _code(dq, "gmd:scope/gmd:DQ_Scope/gmd:level", "MD_ScopeCode", rec.level)
    _text(dq, "gmd:lineage/gmd:LI_Lineage/gmd:statement", rec.lineage)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
