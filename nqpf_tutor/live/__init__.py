"""The live classroom's network side: an aiohttp server (HTTP and WebSocket) run in the Textual
app's event loop, the student page (``static/``: plain HTML, CSS and JavaScript, nothing from the
internet), the join address and its QR code. The game's rules are the core's
(``nqpf_tutor.core.classroom.live``)."""
