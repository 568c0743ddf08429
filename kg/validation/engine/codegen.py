"""A node shape compiled to one Python function: its checks inlined, loop by loop.

For every focus node the function reads the node's predicates once and, per property shape,
takes the values and tests each component's condition (:meth:`Component.condition`) inline;
a failure is recorded as (which shape and component, focus, value) and turned into a result
only afterwards, since failures are rare. The generated source is kept on the function
(``__source__``) for reading and debugging.
"""

from __future__ import annotations

from collections.abc import Callable

from kg.validation.engine import components as c
from kg.validation.engine.data import DataGraph
from kg.validation.engine.shapes import Shape
from kg.validation.engine.terms import Result

Check = Callable[[DataGraph, list], list[Result]]


class _Generator:
    def __init__(self) -> None:
        self.constants = c.Constants()
        self.failures: list[tuple[Shape, c.Component]] = []
        self.lines: list[str] = []

    def failure(self, shape: Shape, component: c.Component) -> int:
        self.failures.append((shape, component))
        return len(self.failures) - 1

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)

    def components(self, shape: Shape, focus: str, values: str, value: str, depth: int) -> None:
        """The checks of ``shape``'s own components on the values of one focus node."""
        for component in shape.components:
            if component.focus_level:
                k = self.failure(shape, component)
                self.emit(depth, f"if {component.condition(self.constants, values)}:")
                self.emit(depth + 1, f"out.append(({k}, {focus}, None))")
        value_level = [k for k in shape.components if not k.focus_level]
        if not value_level:
            return
        self.emit(depth, f"for {value} in {values}:")
        for component in value_level:
            k = self.failure(shape, component)
            if component.inline:
                self.emit(depth + 1, f"if {component.condition(self.constants, value)}:")
                self.emit(depth + 2, f"out.append(({k}, {focus}, {value}))")
            else:
                name = self.constants.name(component)
                self.emit(depth + 1, f"for failing in {name}.fails(graph, {focus}, [{value}]):")
                self.emit(depth + 2, f"out.append(({k}, {focus}, failing))")

    def properties(self, shape: Shape, node: str, node_predicates: str, depth: int) -> None:
        """The property shapes of ``shape`` on one node (whose predicates are at hand)."""
        for prop in shape.properties:
            values, value, predicates = f"vs{depth}", f"v{depth}", f"pr{depth}"
            if prop.predicate is not None:
                self.emit(depth, f"{values} = {node_predicates}.get("
                                 f"{self.constants.name(prop.predicate)}, EMPTY)")
            else:
                self.emit(depth, f"{values} = {self.constants.name(prop.path)}(graph, {node})")
            self.components(prop, node, values, value, depth)
            if prop.properties:
                self.emit(depth, f"for {value} in {values}:")
                self.emit(depth + 1, f"{predicates} = spo.get({value}, NONE)")
                self.properties(prop, value, predicates, depth + 1)


def compile_shape(shape: Shape) -> Check:
    """The checks of a node shape (and its property shapes) as one generated function."""
    generator = _Generator()
    generator.emit(1, "spo = graph.spo")
    generator.emit(1, "for focus in focus_nodes:")
    generator.emit(2, "pr = spo.get(focus, NONE)")
    generator.components(shape, "focus", "(focus,)", "v", 2)
    generator.properties(shape, "focus", "pr", 2)
    source = "\n".join(["def check(graph, focus_nodes, out):", *generator.lines, "    return out"])
    namespace = dict(c.GLOBALS, EMPTY=(), NONE={}, **generator.constants.values)
    exec(compile(source, f"<shape {shape.owner}>", "exec"), namespace)
    generated = namespace["check"]
    failures = generator.failures

    def check(graph: DataGraph, focus_nodes: list) -> list[Result]:
        results = [failures[k][0].result(focus, value, failures[k][1])
                   for k, focus, value in generated(graph, focus_nodes, [])]
        for constraint in shape.sparql:
            results.extend(constraint.results(graph, focus_nodes))
        return results

    check.__source__ = source
    return check
