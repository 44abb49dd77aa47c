import Foundation

/// The files of `kernelspec/`, embedded so `rigor install` needs nothing beside the binary.
/// Generated from `kernelspec/`; `KernelspecResourcesTests` fails when they drift apart.
enum KernelspecResources {
    /// `kernelspec/kernel.json`.
    static let kernelJSON = #"""
        {
          "argv": ["rigor", "kernel", "--connection-file", "{connection_file}"],
          "display_name": "Rigor",
          "language": "rigor",
          "interrupt_mode": "message",
          "kernel_protocol_version": "5.5",
          "metadata": {
            "debugger": false,
            "supported_encryption": ["curve"]
          }
        }
        """#

    /// `kernelspec/logo-32x32.png`.
    static let logo32 = Data(
        base64Encoded:
            "iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAYAAABzenr0AAABC0lEQVR42mNgGGxA3io+H4jPA/F/KmOQmfn4LOankcXYHMKPzQH0"
            + "sBzuCGzB/p/OOH+gfI8ZCoQU5yd5/O8qcMSLk6J9SHYEUQ4AWf5tmTJR+MV8NZIcQpQDQL4j1gEwDHI0TRxwoNsIa/BPL7P9f3uG"
            + "Fooj3P2Cqe8AEBuXOh2H6P9nJ+rB1S6ttaSvA0AY5Gvk9EB3B4AwcjSMrBCgSxoY8Fww4OXAgJeE6FEACnpkBxAT71RPhLWZLmQF"
            + "P1VzAcjnyNFATAKkqgPQsyAoR4DE6FoOgHwN8j1yeqF7SQjKAaSkB5IbJMQkMGQHU8UBMEeQkrqJVT+oGqUD2ywf8I7JoOiaDXjn"
            + "dKAAAMqwed+Z4rI2AAAAAElFTkSuQmCC"
    )!

    /// `kernelspec/logo-64x64.png`.
    static let logo64 = Data(
        base64Encoded:
            "iVBORw0KGgoAAAANSUhEUgAAAEAAAABACAYAAACqaXHeAAAB60lEQVR42u2bMU7DMBSGe5MMSAwIMSAxFAkJJKQyIBYGhg6RujGF"
            + "ia0bE0xMsGWCA3CBcAFOwAXYvLGa/FKROiROmjxXz/Zv6R9r5X22fz+/2pMJG1tny47zrFZRq6plalmlMqtvxLdmUoGXigPuUjkY"
            + "RP3DXPlobzIr8iHB28iUpxx8PwirNW8iBmCcnhC44fU2Rtfo20SUNQEoEgJQNAGoEgJQNQEwCQEwTQBGdfpyf2J/yl37+74zWPj9"
            + "59OhXd6e2+nsxisEUQAIfkzgbXpbTr2BEAUwduS7ZkWxuNANwFfw65KGEBwAaQhBAsBykPKErQDYtJ/Z1XWnocIYowWwDsJlrBKz"
            + "QDWAfwht/SJPiB6AK79AspQEgLZZgOWRBACffRMAlwBNkNsgEyGmwjwM8TjMgoh2AEmXxIIpivoI/uv5IJyy+NBtEKPr2u+xJUYN"
            + "AFrML7dqfioToce7M6cJIkGKGgD08XDU2s/3657dP53HDQABItC2vgAoagB9DkFYKlEDgGB6LlOEaUb/v4DrRCh1IFJfEEEi5EqS"
            + "xpqiegAI0GeSFHRRVKIw6v2ChETlFkL9Tz2AJtOSzONxKlS9BNYvSUE+DjHS/fOaHC9K8qosL0vzujwfTPDJDB9N8dkcH07y6Sxb"
            + "0u0PwwTg3ng/JuAAAAAASUVORK5CYII="
    )!

    /// `kernelspec/logo-svg.svg`.
    static let logoSVG = Data(
        base64Encoded:
            "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSI2NCIgaGVpZ2h0PSI2NCIgdmlld0JveD0iMCAw"
            + "IDY0IDY0Ij4KICA8dGl0bGU+Umlnb3I8L3RpdGxlPgogIDxyZWN0IHg9IjIiIHk9IjIiIHdpZHRoPSI2MCIgaGVpZ2h0PSI2MCIg"
            + "cng9IjEyIiBmaWxsPSIjMWYzYTVmIi8+CiAgPHBhdGggZD0iTTIwIDQ4VjE2aDE0YTkgOSAwIDAgMSAwIDE4SDIwbTEzIDBsMTEg"
            + "MTQiIGZpbGw9Im5vbmUiIHN0cm9rZT0iI2Y2YTYyMyIgc3Ryb2tlLXdpZHRoPSI2IiBzdHJva2UtbGluZWNhcD0icm91bmQiIHN0"
            + "cm9rZS1saW5lam9pbj0icm91bmQiLz4KPC9zdmc+Cg=="
    )!

    /// The logos by file name.
    static var logos: [String: Data] {
        ["logo-32x32.png": logo32, "logo-64x64.png": logo64, "logo-svg.svg": logoSVG]
    }
}
