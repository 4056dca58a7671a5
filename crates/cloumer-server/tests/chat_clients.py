"""Drives `cloumer serve`'s chat with an independent WebSocket client (the `websockets`
package), as an IVS Chat client would: the chat token as the sub-protocol.

Usage: CHAT_OWNER_TOKEN=… CHAT_VIEWER_TOKEN=… chat_clients.py CHAT_ENDPOINT VIEWER_USER_ID
(tokens in the environment, never in argv). The owner's token (R5 on their own channel) has DELETE_MESSAGE and DISCONNECT_USER; the
viewer's (R5 on someone else's channel) only SEND_MESSAGE. Prints "OK" when every step
behaved as IVS Chat does.
"""

import asyncio
import json
import os
import sys

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

endpoint, viewer_id = sys.argv[1:3]
owner_token, viewer_token = os.environ["CHAT_OWNER_TOKEN"], os.environ["CHAT_VIEWER_TOKEN"]
TIMEOUT = 15


async def frame(ws, wanted_type):
    """The next frame of `wanted_type` (skips others)."""
    while True:
        f = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        if f["Type"] == wanted_type:
            return f


async def main():
    async with connect(endpoint, subprotocols=[owner_token]) as owner, \
            connect(endpoint, subprotocols=[viewer_token]) as viewer:
        # A message with attributes reaches both, unchanged, with the sender.
        await viewer.send(json.dumps({"Action": "SEND_MESSAGE", "RequestId": "r1",
                                      "Content": "안녕 👋", "Attributes": {"k": "v"}}))
        for ws in (owner, viewer):
            m = await frame(ws, "MESSAGE")
            assert m["Content"] == "안녕 👋" and m["Attributes"] == {"k": "v"}, m
            assert m["Sender"]["UserId"] == viewer_id, m
            assert "username" in m["Sender"]["Attributes"], m
        message_id = m["Id"]

        # The viewer may not delete: ERROR 403, ErrorCode a JSON integer.
        await viewer.send(json.dumps({"Action": "DELETE_MESSAGE", "RequestId": "d0",
                                      "Id": message_id}))
        e = await frame(viewer, "ERROR")
        assert e["ErrorCode"] == 403 and e["RequestId"] == "d0", e

        # The owner deletes: everyone gets aws:DELETE_MESSAGE with MessageId and MessageID.
        await owner.send(json.dumps({"Action": "DELETE_MESSAGE", "RequestId": "d1",
                                     "Id": message_id, "Reason": "spam"}))
        for ws in (owner, viewer):
            ev = await frame(ws, "EVENT")
            assert ev["EventName"] == "aws:DELETE_MESSAGE", ev
            assert ev["Attributes"]["MessageId"] == message_id, ev
            assert ev["Attributes"]["MessageID"] == message_id, ev

        # 501 code points are refused as too large (IVS: 413).
        await viewer.send(json.dumps({"Action": "SEND_MESSAGE", "RequestId": "big",
                                      "Content": "가" * 501}))
        assert (await frame(viewer, "ERROR"))["ErrorCode"] == 413

        # The owner disconnects the viewer: the viewer's socket closes within seconds.
        await owner.send(json.dumps({"Action": "DISCONNECT_USER", "RequestId": "k1",
                                     "UserId": viewer_id, "Reason": "bye"}))
        ev = await frame(owner, "EVENT")
        assert ev["EventName"] == "aws:DISCONNECT_USER" and ev["Attributes"]["UserId"] == viewer_id, ev
        try:
            while True:
                await asyncio.wait_for(viewer.recv(), TIMEOUT)
        except ConnectionClosed:
            pass

    # A forged token does not open the chat.
    try:
        async with connect(endpoint, subprotocols=[owner_token[:-4] + "AAAA"]):
            raise AssertionError("a forged token was accepted")
    except ConnectionClosed:
        raise AssertionError("a forged token opened a socket")
    except Exception as e:  # the handshake is refused (HTTP 401/403)
        assert "40" in str(e), e
    print("OK")


asyncio.run(main())
