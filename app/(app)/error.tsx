"use client";

/** The signed-in shell's error boundary is the root one, rendered inside the shell. */
export { default } from "../error";
