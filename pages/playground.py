"""Playground: the four mission knobs beside the live chart; doctor, pre-flight, range
test, share / export / import and the lesson-link builder below."""

from ui.layouts import playground

playground()
