"""The tables the math layout reads: scripts, atom classes, and what each macro is."""

from __future__ import annotations

# ---------------------------------------------------------------------------
# Unicode super- and subscripts (the one table pylatexenc has no use for)
# ---------------------------------------------------------------------------

_SUPERSCRIPTS = {
    **dict(zip("0123456789+-−=()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾", strict=True)),
    **dict(zip("abcdefghijklmnoprstuvwxyz", "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ", strict=True)),
    **dict(zip("ABDEGHIJKLMNOPRTUVW", "ᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ", strict=True)),
    **dict(zip("βγδθφϕχ", "ᵝᵞᵟᶿᵠᵠᵡ", strict=True)),
    **dict(zip("′″‴∘°", "′″‴°°", strict=True)),  # ^\prime, ^\circ
}
_SUBSCRIPTS = {
    **dict(zip("0123456789+-−=()", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎", strict=True)),
    **dict(zip("aehijklmnoprstuvx", "ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True)),
    **dict(zip("βγρφϕχ", "ᵦᵧᵨᵩᵩᵪ", strict=True)),
}
_SCRIPT_CHARS = frozenset(_SUPERSCRIPTS.values()) | frozenset(_SUBSCRIPTS.values())

# ---------------------------------------------------------------------------
# What the layout needs to know about macros and characters
# ---------------------------------------------------------------------------

# Atom classes, after TeX's: they decide the spacing between neighbours.
ORD, OP, BIN, REL, OPEN, CLOSE, PUNCT, INNER, SPACE = (
    "ord",
    "op",
    "bin",
    "rel",
    "open",
    "close",
    "punct",
    "inner",
    "space",
)

_REL_CHARS = frozenset(
    "=<>:≠≤≥⩽⩾≈≡≢∼≃≅≆≇≉≁≮≯≰≱∝→←↔⇒⇐⇔⟶⟵⟷⟹⟸⟺↦⟼↑↓⇑⇓↗↘∈∉∋∌⊂⊃⊆⊇⊄⊅⊈⊉⊊⊋≪≫≺≻⪯⪰⊥∥∦⊢⊨⊩≐≔≍⊏⊐⊑⊒∣∤"
)
_BIN_CHARS = frozenset("+-−*±∓×·÷∗∘∙∧∨∩∪⊕⊖⊗⊘⊙∖⋅⊓⊔△▽⋆⋄≀⨿⊎")
_OPEN_CHARS = frozenset("([{⟨⌊⌈")
_CLOSE_CHARS = frozenset(")]}⟩⌋⌉")
_PUNCT_CHARS = frozenset(",;")

_FRACTIONS = frozenset({"frac", "dfrac", "tfrac", "cfrac"})
_BINOMIALS = frozenset({"binom", "dbinom", "tbinom"})
# Text inside math: its spaces count.
_TEXT_MACROS = frozenset(
    {"text", "textrm", "textnormal", "textup", "textit", "textbf", "textsf", "texttt"}
    | {"emph", "mbox", "hbox", "textmd", "textsl"}
)
# Fonts whose look a terminal cannot show: the letters stay plain.
_PLAIN_FONTS = frozenset(
    {"mathrm", "mathbf", "mathit", "mathsf", "mathtt", "mathnormal", "mathup"}
    | {"boldsymbol", "bm", "pmb", "symbf", "symrm", "symit", "boxed", "ce"}
)
_LETTERLIKE_FONTS = frozenset({"mathbb", "mathcal", "mathscr", "mathfrak"})
_BIG_OPERATORS = frozenset(
    {"sum", "prod", "coprod", "int", "iint", "iiint", "oint", "bigcup", "bigcap"}
    | {"bigoplus", "bigotimes", "bigodot", "biguplus", "bigsqcup", "bigvee", "bigwedge"}
)
# Operator names are printed as their own name.
_FUNCTION_NAMES = frozenset(
    {"sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh", "coth", "arcsin"}
    | {"arccos", "arctan", "arg", "deg", "det", "dim", "exp", "gcd", "hom", "inf", "ker"}
    | {"lg", "lim", "ln", "log", "max", "min", "Pr", "sup"}
)
_TWO_WORD_OPERATORS = {"limsup": "lim sup", "liminf": "lim inf"}
_DELIMITER_SIZES = frozenset(
    {"left", "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl"}
    | {"Bigr", "biggl", "biggr", "Biggl", "Biggr", "bigm", "Bigm", "biggm", "Biggm"}
)
_SPACES = frozenset(
    {",", ":", ";", ">", " ", "\n", "\t", "quad", "qquad", "enspace", "enskip"}
    | {"thinspace", "medspace", "thickspace", "space"}
)
_IGNORED = frozenset(
    {"!", "negthinspace", "negmedspace", "negthickspace", "displaystyle", "textstyle"}
    | {"scriptstyle", "scriptscriptstyle", "limits", "nolimits", "nonumber", "notag"}
    | {"label", "color", "phantom", "hphantom", "vphantom", "strut", "mathstrut"}
    | {"allowbreak", "hspace", "vspace", "kern", "mkern"}
)
_ROW_BREAKS = frozenset({"\\", "cr", "newline"})
_ACCENTS = frozenset(
    {"vec", "hat", "bar", "tilde", "dot", "ddot", "dddot", "check", "breve", "acute"}
    | {"grave", "mathring", "overline", "underline", "widehat", "widetilde"}
    | {"overrightarrow", "overleftarrow"}
)
# Accents that pylatexenc draws the same as another one.
_ACCENT_ALIASES = {
    "overline": "bar",
    "widehat": "hat",
    "widetilde": "tilde",
    "overrightarrow": "vec",
}
# Symbols pylatexenc (2.x) has no text for.
_MISSING_SYMBOLS = {
    "ne": "≠",
    "neg": "¬",
    "gets": "←",
    "implies": "⟹",
    "impliedby": "⟸",
    "iff": "⟺",
    "land": "∧",
    "lor": "∨",
    "Re": "ℜ",
    "Im": "ℑ",
    "degree": "°",
    "bot": "⊥",
    "models": "⊨",
    "triangle": "△",
    "Box": "□",
    "checkmark": "✓",
    "lt": "<",
    "gt": ">",
    "colon": ":",
    "|": "‖",
    "Vert": "‖",
    "cdotp": "·",
    "infin": "∞",
    "prime": "′",
    "mid": "∣",
}
_MATRIX_DELIMITERS = {
    "matrix": ("", ""),
    "smallmatrix": ("", ""),
    "array": ("", ""),
    "pmatrix": ("(", ")"),
    "bmatrix": ("[", "]"),
    "Bmatrix": ("{", "}"),
    "vmatrix": ("|", "|"),
    "Vmatrix": ("‖", "‖"),
}
_CASES = frozenset({"cases", "dcases", "rcases"})
