# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""ConductorOne client secrets as tests build them: base64url without padding, and the
``secret-token:conductorone.com:v1:<base64url JWK>`` format (API-NOTES section 7.3). Standard library only, so that
both the unit tests and the emulator's own tests (which stay independent of the emulator's code) can use it."""

import base64
import json

SECRET_PREFIX = 'secret-token:conductorone.com:v1:'

# The keypair of the ConductorOne docs' example secret: d derives x.
DOCS_X = 'C2HLycGzyH_d40r2oz6h6JjvwoEQAgASEW6x0zzhzcc'
DOCS_D = '-83VLWQU-eXPcFBYXCociSoWVhkbtWRosvFTgrjqsUo'
DOCS_SECRET_JWK = {'kty': 'OKP', 'crv': 'Ed25519', 'x': DOCS_X, 'd': DOCS_D}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))


def make_secret(jwk):
    """A client secret holding ``jwk`` (any JSON value) as ConductorOne writes it."""
    return SECRET_PREFIX + b64url(json.dumps(jwk, separators=(',', ':')).encode('utf-8'))
