"""Example documents A (valid, two definitions) and C (truncated) of the facts doc, §7."""

from __future__ import annotations

import json
from typing import Any

EXAMPLE_A = json.loads(
    '{"task_id":"68ab41c2e5f1d93a7c2b0e14","custom_id":"cam-a_20260801T0900'
    'Z","status":"ready","created_at":"2026-08-01T09:00:03Z","completed_at"'
    ':"2026-08-01T09:02:41Z","video_source":{"type":"asset_id","asset_id":"'
    '68ab3f90e5f1d93a7c2b0e01","system_metadata":{"duration":120.0}},"reque'
    'st_params":{"analysis_mode":"time_based_metadata","temperature":0.2,"m'
    'ax_tokens":32768,"min_segment_duration":4.0,"max_segment_duration":60.'
    '0,"response_format":{"type":"segment_definitions","segment_definitions'
    '":[{"id":"scene","description":"Contiguous shots showing one activity '
    'in the enclosure","fields":[{"name":"title","type":"string","descripti'
    'on":"Short headline"},{"name":"activity","type":"string","description"'
    ':"Main activity","enum":["feeding","eating","resting","other"]},{"name'
    '":"people_count","type":"integer","description":"People visible"},{"na'
    'me":"outdoor","type":"boolean","description":"Outdoor area"},{"name":"'
    'tags","type":"array","description":"Visible objects","items":{"type":"'
    'string"}}]},{"id":"sponsor_logo","description":"Intervals where a spon'
    'sor logo is visible","fields":[{"name":"brand","type":"string","descri'
    'ption":"Brand name"},{"name":"confidence","type":"number","description'
    '":"0-1 confidence"}]}]}},"result":{"generation_id":"gen_7c1e9a52b4d34f'
    '0e","finish_reason":"stop","usage":{"output_tokens":412,"input_tokens"'
    ':48210},"data":"{\\"scene\\":[{\\"start_time\\":0.0,\\"end_time\\":42.5,\\"me'
    'tadata\\":{\\"title\\":\\"Keeper enters enclosure\\",\\"activity\\":\\"feeding'
    '\\",\\"people_count\\":1,\\"outdoor\\":true,\\"tags\\":[\\"keeper\\",\\"bucket\\"'
    ']}},{\\"start_time\\":42.5,\\"end_time\\":118.0,\\"metadata\\":{\\"title\\":\\"'
    'Animal eats near rocks\\",\\"activity\\":\\"eating\\",\\"people_count\\":0,\\"'
    'outdoor\\":true,\\"tags\\":[\\"leopard\\",\\"meat\\"]}}],\\"sponsor_logo\\":[{\\'
    '"start_time\\":12.0,\\"end_time\\":19.5,\\"metadata\\":{\\"brand\\":\\"Acme\\",'
    '\\"confidence\\":0.82}}]}"},"webhooks":[{"url":"https://hooks.example.co'
    'm/twelvelabs","delivered":true,"attempts":1}]}'
)

EXAMPLE_C = json.loads(
    '{"task_id":"68ab5c3de5f1d93a7c2b0e41","custom_id":"cam-b_20260801T0915'
    'Z","status":"ready","created_at":"2026-08-01T09:15:02Z","completed_at"'
    ':"2026-08-01T09:19:47Z","video_source":{"type":"asset_id","asset_id":"'
    '68ab5b11e5f1d93a7c2b0e3a","system_metadata":{"duration":3600.0}},"requ'
    'est_params":{"analysis_mode":"time_based_metadata","temperature":0.2,"'
    'max_tokens":2048,"response_format":{"type":"segment_definitions","segm'
    'ent_definitions":[{"id":"scene","description":"Distinct activity inter'
    'vals","fields":[{"name":"activity","type":"string","description":"Main'
    ' activity"}]}]}},"result":{"generation_id":"gen_0d5f2b7a91c84e36","fin'
    'ish_reason":"length","usage":{"output_tokens":2048,"input_tokens":2013'
    '77},"data":"{\\"scene\\":[{\\"start_time\\":0.0,\\"end_time\\":31.0,\\"metada'
    'ta\\":{\\"activity\\":\\"resting\\"}},{\\"start_time\\":31.0,\\"end_time\\":58.'
    '5,\\"metadata\\":{\\"activ"},"error":{"message":"output truncated: the ge'
    "neration reached the configured max_tokens. The partial output is retu"
    'rned; raise max_tokens (up to 98304) if you need a longer response."}}'
)


def example(name: str) -> dict[str, Any]:
    """A fresh copy of example ``A`` or ``C``."""
    return json.loads(json.dumps({"A": EXAMPLE_A, "C": EXAMPLE_C}[name]))  # type: ignore[no-any-return]
