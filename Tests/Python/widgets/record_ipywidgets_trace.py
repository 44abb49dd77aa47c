"""Records the reference widget trace: what ipykernel + ipywidgets send for each front-end comm message.

Run with the project venv (ipywidgets installed):  .venv/bin/python Tests/Python/widgets/record_ipywidgets_trace.py OUT
Writes one JSON object per line: {"step", "direction": "send"|"recv", "channel", "msg_type", "content"}, with
comm ids replaced by symbolic names (control, slider, slider.layout, ...) so that the trace is stable.
Tests/RigorKernelTests/WidgetProtocolTests.swift plays the same steps against Rigor and compares shapes.
"""

import json
import sys
import time

from jupyter_client.manager import start_new_kernel

OUT = sys.argv[1]
km, kc = start_new_kernel(kernel_name="python3")
records = []
names = {}
step_name = "start"


def symbolic(value):
    if isinstance(value, str):
        if value in names:
            return names[value]
        if value.startswith("IPY_MODEL_") and value[10:] in names:
            return "IPY_MODEL_" + names[value[10:]]
        for raw, name in names.items():
            value = value.replace(raw, name)
        return value
    if isinstance(value, list):
        return [symbolic(v) for v in value]
    if isinstance(value, dict):
        return {symbolic(k): symbolic(v) for k, v in value.items()}
    return value


def record(direction, channel, msg_type, content, metadata=None):
    entry = {"step": step_name, "direction": direction, "channel": channel, "msg_type": msg_type,
             "content": symbolic(content)}
    if metadata:
        entry["metadata"] = metadata
    records.append(entry)


def drain(parent_id, name_new_comms=None, settle=0.3):
    """Collects iopub messages until idle for parent_id, then whatever else arrives within `settle` seconds."""
    seen_idle = False
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=settle if seen_idle else 10)
        except Exception:
            if seen_idle:
                return
            continue
        t = msg["msg_type"]
        c = msg["content"]
        if t == "comm_open" and name_new_comms is not None:
            model = c["data"]["state"].get("_model_name", "")
            names[c["comm_id"]] = name_new_comms(model)
        if t == "status":
            if msg["parent_header"].get("msg_id") == parent_id and c["execution_state"] == "idle":
                seen_idle = True
            record("recv", "iopub", t + ":" + c["execution_state"],
                   {"parent_is_request": msg["parent_header"].get("msg_id") == parent_id})
            continue
        if t in ("display_data", "execute_result"):
            c = {k: v for k, v in c.items() if k != "execution_count"}
        record("recv", "iopub", t, c, msg.get("metadata"))


def execute(code, namer=None):
    msg_id = kc.execute(code)
    record("send", "shell", "execute_request", {"code": code})
    reply = kc.get_shell_msg(timeout=10)
    drain(msg_id, namer)
    record("recv", "shell", "execute_reply", {"status": reply["content"]["status"]})


def comm(msg_type, content, step, metadata=None):
    global step_name
    step_name = step
    msg = kc.session.msg(msg_type, content, metadata=metadata or {})
    kc.shell_channel.send(msg)
    record("send", "shell", msg_type, dict(content, **({"metadata": metadata} if metadata else {})))
    drain(msg["header"]["msg_id"])


def comm_msg(comm_id, data, step):
    comm("comm_msg", {"comm_id": comm_id, "data": data}, step)


ids = {}

step_name = "import ipywidgets (registers the control target)"
execute("import ipywidgets as w")
names["control-comm"] = "control"
comm("comm_open", {"comm_id": "control-comm", "target_name": "jupyter.widget.control", "data": {}},
     "control: open", metadata={"version": "1.0.0"})
comm_msg("control-comm", {"method": "request_states"}, "control: request_states with no widgets")

prefix = {"LayoutModel": "layout", "SliderStyleModel": "style"}


def slider_namer(model):
    return {"LayoutModel": "slider.layout", "SliderStyleModel": "slider.style", "IntSliderModel": "slider",
            "ButtonStyleModel": "button.style", "ButtonModel": "button"}.get(model, model)


step_name = "create and display an IntSlider"
execute("slider = w.IntSlider(value=3, min=0, max=10, description='n')\nslider", slider_namer)
inverse = {v: k for k, v in names.items()}
S = inverse["slider"]

comm_msg(S, {"method": "update", "state": {"value": 6}, "buffer_paths": []}, "update from the front end")
comm_msg(S, {"method": "update", "state": {"value": 200}, "buffer_paths": []}, "update out of range (clamped)")
comm_msg(S, {"method": "update", "state": {"value": "six"}, "buffer_paths": []}, "update of the wrong type (rejected)")
comm_msg(S, {"method": "update", "state": {"nonexistent_trait": 1}, "buffer_paths": []}, "update of an unknown key")
comm_msg(S, {"method": "request_state"}, "request_state")
step_name = "kernel sets the value"
execute("slider.value = 4")
step_name = "button"
def button_namer(model):
    return {"LayoutModel": "button.layout", "ButtonStyleModel": "button.style", "ButtonModel": "button"}.get(model, model)
execute("button = w.Button(description='Run')\nbutton.on_click(lambda b: print('clicked'))\nbutton", button_namer)
inverse = {v: k for k, v in names.items()}
comm_msg(inverse["button"], {"method": "custom", "content": {"event": "click"}}, "button click (custom)")
comm_msg("no-such-comm", {"method": "update", "state": {"value": 1}, "buffer_paths": []}, "message to an unknown comm")
comm_msg("control-comm", {"method": "request_states"}, "control: request_states")
comm("comm_close", {"comm_id": S, "data": {}}, "front end closes the slider's comm")
comm_msg(S, {"method": "update", "state": {"value": 5}, "buffer_paths": []}, "update to a closed comm")
step_name = "kernel closes a widget"
execute("button.close()")


def interact_namer(model):
    return {"LayoutModel": "interact." + str(len(names)) + ".layout", "SliderStyleModel": "interact.x.style",
            "IntSliderModel": "interact.x", "OutputModel": "interact.output", "VBoxModel": "interact",
            "DescriptionStyleModel": "interact.style"}.get(model, model)


step_name = "interact"
execute("from ipywidgets import interact\ndef f(x):\n    print('x is', x)\n    return x * 2\ninteract(f, x=5);", interact_namer)
inverse = {v: k for k, v in names.items()}
comm_msg(inverse["interact.x"], {"method": "update", "state": {"value": 7}, "buffer_paths": []}, "interact: move x")

kc.stop_channels()
km.shutdown_kernel(now=True)
with open(OUT, "w") as f:
    for r in records:
        f.write(json.dumps(r, sort_keys=True) + "\n")
print(len(records), "messages")
