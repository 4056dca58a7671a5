"""Floods a channel's chat on a running CLOUMER server, as a busy audience would: signs up
a viewer (confirmation code from the server's outbox), logs in (USER_PASSWORD_AUTH), takes
a chat token (R4) and sends MESSAGE frames over the IVS-Chat WebSocket at a steady rate.
Benchmark tool for bench/studio/bench.mjs (the room must allow the rate: the server's
--chat-room-rate / CLOUMER_CHAT_ROOM_RATE). Prints one JSON line with what it sent.

  python chat_flood.py --api http://127.0.0.1:PORT --data-dir DIR --channel NAME \
      --rate 100 --seconds 30
"""

import argparse
import asyncio
import json
import pathlib
import sqlite3
import time

import requests
import websockets

TARGET = "AWSCognitoIdentityProviderService."


def cognito(api, operation, body):
    r = requests.post(
        f"{api}/cognito/",
        json=body,
        headers={"X-Amz-Target": TARGET + operation, "Content-Type": "application/x-amz-json-1.1"},
        timeout=10,
    )
    r.raise_for_status()
    return r.json()


def viewer_id_token(api, data_dir):
    with sqlite3.connect(data_dir / "cloumer.sqlite3") as db:
        (client_id,) = db.execute("SELECT value FROM meta WHERE key = 'client_id'").fetchone()
    client_id = client_id.decode() if isinstance(client_id, bytes) else client_id
    email, password = f"flood-{int(time.time())}@example.com", "Fl00d-Bench-Password"
    cognito(api, "SignUp", {
        "ClientId": client_id, "Username": email, "Password": password,
        "UserAttributes": [{"Name": "email", "Value": email}, {"Name": "nickname", "Value": "crowd"}],
    })
    code = None
    for line in (data_dir / "outbox.jsonl").read_text().splitlines():
        message = json.loads(line)
        if message.get("to") == email:
            code = message["code"]
    cognito(api, "ConfirmSignUp", {"ClientId": client_id, "Username": email, "ConfirmationCode": code})
    auth = cognito(api, "InitiateAuth", {
        "ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": email, "PASSWORD": password},
    })
    return auth["AuthenticationResult"]["IdToken"]


async def flood(api, token, rate, seconds):
    url = api.replace("http://", "ws://", 1) + "/chat"
    sent = refused = 0
    async with websockets.connect(url, subprotocols=[token]) as ws:
        async def count_refusals():
            nonlocal refused
            async for frame in ws:
                if json.loads(frame).get("Type") == "ERROR":
                    refused += 1

        reader = asyncio.create_task(count_refusals())
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            # Paced by the clock, not by sleeps adding up: late ticks are not made up.
            due = start + sent / rate
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            frame = {"Action": "SEND_MESSAGE", "RequestId": f"f{sent}", "Content": f"message {sent} from the crowd"}
            await ws.send(json.dumps(frame))
            sent += 1
        await asyncio.sleep(1)
        reader.cancel()
    return sent, refused, time.monotonic() - start


def main():
    args = argparse.ArgumentParser()
    args.add_argument("--api", required=True)
    args.add_argument("--data-dir", required=True, type=pathlib.Path)
    args.add_argument("--channel", required=True)
    args.add_argument("--rate", type=float, default=100)
    args.add_argument("--seconds", type=float, default=30)
    a = args.parse_args()
    id_token = viewer_id_token(a.api, a.data_dir)
    r = requests.get(f"{a.api}/stream/get_caht", params={"targetChanel": a.channel},
                     headers={"Authorization": id_token}, timeout=10)
    r.raise_for_status()
    token = r.json()["token"]
    sent, refused, elapsed = asyncio.run(flood(a.api, token, a.rate, a.seconds))
    print(json.dumps({"sent": sent, "refused": refused, "seconds": round(elapsed, 1),
                      "rate": round(sent / elapsed, 1)}))


if __name__ == "__main__":
    main()
