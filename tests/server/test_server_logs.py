"""The server's logs carry ids and counts only: a canary person's name never reaches them, whatever happens."""

from __future__ import annotations

import json
import uuid

from sim_device import SimDevice

CANARY = "Zawadi Canary-Oyelaran"


def test_logs_hold_no_personal_data(server, make_device):
    device = SimDevice(make_device())
    record = device.register({"name": CANARY, "narrative": f"{CANARY} crossed at night"})
    device.edit(record, {"name": CANARY + " II"})
    device.push_pending()
    device.pull_all()
    # Refusals too: a malformed body and a forged batch that both contain the canary.
    client = device.client
    assert client.post_batch(json.dumps({"protocol_version": 1, "device_id": "x", "name": CANARY}).encode()
                             ).status_code == 422
    forged = client.batch(device.outbox[:1]).model_dump(mode="json")
    forged["ops"][0]["fields"]["name"] = CANARY + " forged"
    forged["ops"][0]["op_id"] = str(uuid.uuid4())
    assert client.post_batch(json.dumps(forged).encode()).status_code == 401
    log = server.log_path.read_text("utf-8")
    events = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert {"push", "pull", "refused"} <= {e["event"] for e in events}
    assert "Canary" not in log and "Zawadi" not in log
