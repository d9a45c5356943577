"""Notification delivery: the outbox, its dispatcher, the SMS and email channels, the staff digest.

Apps never send a message themselves. They put a row in the outbox (`services.notification_schedule`)
and register, per kind, a renderer that turns a due row into a message at send time
(`registry.register_kind`). Rendering at send time is what keeps a reminder for a moved booking on the
new time and stops one for a cancelled or past booking: the renderer reads the booking as it is now.

clinic sits at the bottom of the import graph, so it names no other app: the modules that register
kinds, digest sections and planners are listed in settings.NOTIFICATION_MODULES and loaded by
`registry.load_modules()` when the clinic app is ready.
"""
