"""Migration 0009 (region scope on the server, issue 10): which region each centre belongs to.

`centre_region`: a centre's region as the administrator named it (`admin centre region CENTRE REGION`). A centre
without a row is a region of its own, so a server where no region is named behaves as before (records never cross
centres). A device whose roles give `region` scope (coordinators) receives, changes and decides the records of every
centre of its centre's region (sync_server/scope.py).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, MetaData, String, Table

VERSION = 9
NAME = "centre_region"

metadata = MetaData()
Table("centre", metadata, Column("id", String, primary_key=True))  # for the foreign key only (already there)
centre_region = Table("centre_region", metadata,
                      Column("centre_id", String, ForeignKey("centre.id"), primary_key=True),
                      Column("region", String, nullable=False),
                      Index("ix_centre_region_region", "region"))


def upgrade(conn, context) -> None:
    centre_region.create(conn)
