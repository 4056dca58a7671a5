//! IVS-Chat-compatible chat: WebSocket rooms, chat tokens, moderation, history.
