"""The desktop window as the X server sees it, for the end-to-end tests (python-xlib).

    x11window.py state NAME   prints "shown" or "hidden" for the top-level window titled NAME
    x11window.py close NAME   asks it to close the way a window manager does when the person
                              clicks its close button (WM_DELETE_WINDOW), then prints its state

There is no window manager under Xvfb; GTK answers WM_DELETE_WINDOW all the same.
"""
import sys
import time

from Xlib import X, display
from Xlib.protocol import event


def find(d, name):
    found = []

    def walk(window):
        try:
            title = window.get_wm_name()
            children = window.query_tree().children
        except Exception:  # a window that went away meanwhile
            return
        if title == name:
            found.append(window)
        for child in children:
            walk(child)

    walk(d.screen().root)
    if not found:
        sys.exit(f"no window titled {name!r}")
    return found


def state(d, name):
    shown = any(w.get_attributes().map_state == X.IsViewable for w in find(d, name))
    return "shown" if shown else "hidden"


def close(d, name):
    protocols = d.intern_atom("WM_PROTOCOLS")
    delete = d.intern_atom("WM_DELETE_WINDOW")
    for window in find(d, name):
        if window.get_attributes().map_state != X.IsViewable:
            continue
        message = event.ClientMessage(
            window=window, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0])
        )
        window.send_event(message, event_mask=X.NoEventMask)
    d.flush()


def main():
    action, name = sys.argv[1], sys.argv[2]
    d = display.Display()
    if action == "close":
        close(d, name)
        # GTK hides the window in its own time.
        for _ in range(50):
            if state(d, name) == "hidden":
                break
            time.sleep(0.1)
    print(state(d, name))


main()
