#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mlosbench {

/// A regular expression in the syntax of Python's `re` module, matched in time linear in the
/// text and without recursion (a Pike VM: every thread advances one character at a time), so
/// that no text, however long, can exhaust the stack or run for hours.
///
/// Syntax: literals, `.`, `[...]` and `[^...]` with ranges and escapes, `\w \W \d \D \s \S`
/// (ASCII; bytes of non-ASCII characters count as `\w`), `\t \n \r \f \v \a \0 \xHH`, escaped
/// punctuation, `^` and `$` at line boundaries (as with `re.MULTILINE`), `\A \Z \b \B`,
/// `(...)`, `(?:...)`, `(?P<name>...)`, `|`, and `* + ? {n} {n,} {,m} {n,m}` greedy or lazy
/// (`*?` ...). Not supported (Error naming it): backreferences, lookaround, inline flags,
/// conditionals, possessive quantifiers.
class Regex
{
public:
    /// One match: the span [begin, end) of the whole match (group 0) and of each group;
    /// a group that did not take part has begin == end == npos.
    struct Match
    {
        std::vector<std::pair<std::size_t, std::size_t>> groups;
    };
    struct FindResult
    {
        std::vector<Match> matches;
        bool complete = true; ///< false: the step budget ran out before the end of the text
    };

    /// Compiles `pattern`. Throws Error ("position 3: nothing to repeat", "position 0:
    /// lookahead is not supported", ...) when it is not valid or not supported.
    explicit Regex(std::string_view pattern);

    /// The number of capturing groups.
    [[nodiscard]] std::size_t group_count() const { return m_groups; }

    /// Every non-overlapping match from left to right, as Python's `re.finditer`. One pass
    /// over the text costs about (text size x program size) steps; patterns that make each
    /// match rescan the text could need that many per match, so the search gives up (with
    /// `complete` false) after 16 times one pass.
    [[nodiscard]] FindResult find_all(std::string_view text) const;

    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    /// One instruction of the compiled program (public for the compiler in regex.cpp).
    struct Inst
    {
        enum class Op : std::uint8_t {
            byte,       ///< `arg` is the byte
            set,        ///< `arg` indexes m_sets
            any,        ///< any byte but '\n'
            split,      ///< go to `x` first, then `y`
            jump,       ///< go to `x`
            save,       ///< record the position in capture slot `arg`
            assert_bol, ///< start of the text or after '\n'
            assert_eol, ///< end of the text or before '\n'
            assert_begin,
            assert_end,
            word_boundary,
            not_word_boundary,
            match,
        };
        Op op = Op::match;
        std::uint32_t arg = 0;
        std::uint32_t x = 0;
        std::uint32_t y = 0;
    };
    using ByteSet = std::array<bool, 256>;

private:
    std::vector<Inst> m_program;
    std::vector<ByteSet> m_sets;
    std::size_t m_groups = 0;
};

} // namespace mlosbench
