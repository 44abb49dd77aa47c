"""The reference protocol tests (the PyPI package jupyter_kernel_test), with every hook Rigor
supports filled in."""

import unittest

import jupyter_kernel_test

from conftest import KERNEL_NAME


class RigorKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = KERNEL_NAME
    language_name = "rigor"
    file_extension = ".rigor"

    code_hello_world = 'print("hello, world")'
    code_stderr = 'eprint("oops")'

    completion_samples = [
        {"text": "eprin", "matches": {"eprint"}},
        {"text": "clearOut", "matches": {"clearOutput"}},
    ]
    complete_code_samples = ["1 + 1", "let x = 2", "func f() {\n    return\n}"]
    incomplete_code_samples = ["func f() {", "let xs = [1, 2,", 'let s = """']
    invalid_code_samples = ["let x = )", "}"]

    code_generate_error = 'fatalError("boom")'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"ab" + "c"', "result": '"abc"'},
        {"code": 'HTML("<b>hi</b>")', "mime": "text/html", "result": "<b>hi</b>"},
    ]
    code_display_data = [
        {"code": 'display("shown")', "mime": "text/plain"},
        {"code": 'display(HTML("<i>rich</i>"))', "mime": "text/html"},
        {"code": "display(SVG(\"<svg xmlns='http://www.w3.org/2000/svg' width='4' height='4'/>\"))", "mime": "image/svg+xml"},
    ]
    code_history_pattern = "6 ?*"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "print"
    code_clear_output = "clearOutput()"
    # Protocol 5.5: the kernel greets each new iopub subscriber (XPUB) with iopub_welcome.
    support_iopub_welcome = True


if __name__ == "__main__":
    unittest.main()
