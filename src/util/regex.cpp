#include "mlosbench/util/regex.hpp"

#include "mlosbench/util/error.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <utility>

namespace mlosbench {
namespace {

using Inst = Regex::Inst;
using Op = Regex::Inst::Op;
using ByteSet = Regex::ByteSet;

constexpr std::size_t k_max_depth = 100;         // nested groups
constexpr int k_max_repeat = 1000;               // n and m of {n,m}
constexpr std::size_t k_max_program = 1U << 16U; // instructions

bool is_word_byte(unsigned char c) { return std::isalnum(c) != 0 || c == '_' || c >= 0x80; }
bool is_space_byte(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit_byte(unsigned char c) { return c >= '0' && c <= '9'; }

ByteSet make_set(bool (*in)(unsigned char), bool negate)
{
    ByteSet set{};
    for (int c = 0; c < 256; ++c) {
        set[static_cast<std::size_t>(c)] = in(static_cast<unsigned char>(c)) != negate;
    }
    return set;
}

// The parsed pattern: a tree in a vector, children by index.
struct Node
{
    enum class Kind : std::uint8_t {
        empty,
        byte,
        set,
        any,
        assertion,
        concat,
        alt,
        repeat,
        group,
    };
    Kind kind = Kind::empty;
    std::uint32_t value = 0; // byte, set index, group index, assertion Op
    int min = 0;
    int max = -1; // -1: no bound
    bool greedy = true;
    std::vector<std::size_t> children;
};

class Parser
{
public:
    explicit Parser(std::string_view pattern) : m_pattern(pattern) {}

    std::size_t parse()
    {
        const std::size_t root = alternation();
        if (m_pos < m_pattern.size()) {
            fail("unbalanced parenthesis"); // only a ')' stops alternation()
        }
        return root;
    }

    std::vector<Node> nodes;
    std::vector<ByteSet> sets;
    std::size_t groups = 0;

private:
    [[noreturn]] void fail(const std::string& what, std::size_t at) const
    {
        throw Error("position " + std::to_string(at) + ": " + what);
    }
    [[noreturn]] void fail(const std::string& what) const { fail(what, m_pos); }

    bool at_end() const { return m_pos >= m_pattern.size(); }
    char peek() const { return m_pattern[m_pos]; }
    bool consume(std::string_view text)
    {
        if (m_pattern.substr(m_pos, text.size()) == text) {
            m_pos += text.size();
            return true;
        }
        return false;
    }

    std::size_t add(Node node)
    {
        nodes.push_back(std::move(node));
        return nodes.size() - 1;
    }
    std::size_t add_set(ByteSet set)
    {
        sets.push_back(std::move(set));
        Node node;
        node.kind = Node::Kind::set;
        node.value = static_cast<std::uint32_t>(sets.size() - 1);
        return add(std::move(node));
    }
    std::size_t add_byte(unsigned char c)
    {
        Node node;
        node.kind = Node::Kind::byte;
        node.value = c;
        return add(std::move(node));
    }
    std::size_t add_assertion(Op op)
    {
        Node node;
        node.kind = Node::Kind::assertion;
        node.value = static_cast<std::uint32_t>(op);
        return add(std::move(node));
    }

    std::size_t alternation()
    {
        Node alt;
        alt.kind = Node::Kind::alt;
        alt.children.push_back(concatenation());
        while (!at_end() && peek() == '|') {
            ++m_pos;
            alt.children.push_back(concatenation());
        }
        if (alt.children.size() == 1) {
            return alt.children.front();
        }
        return add(std::move(alt));
    }

    std::size_t concatenation()
    {
        Node concat;
        concat.kind = Node::Kind::concat;
        while (!at_end() && peek() != '|' && peek() != ')') {
            concat.children.push_back(quantified(atom()));
        }
        if (concat.children.size() == 1) {
            return concat.children.front();
        }
        return add(std::move(concat));
    }

    // `{n}`, `{n,}`, `{,m}`, `{n,m}` at m_pos: sets min/max and moves past it; otherwise
    // (Python then reads `{` as a literal) leaves m_pos alone.
    bool counted(int& min, int& max)
    {
        std::size_t i = m_pos + 1;
        const auto number = [&](int& out) {
            const std::size_t begin = i;
            long value = 0;
            while (i < m_pattern.size() &&
                   is_digit_byte(static_cast<unsigned char>(m_pattern[i]))) {
                value = std::min<long>(value * 10 + (m_pattern[i] - '0'), k_max_repeat + 1L);
                ++i;
            }
            out = static_cast<int>(value);
            return i > begin;
        };
        int lo = 0;
        int hi = -1;
        const bool has_lo = number(lo);
        if (i < m_pattern.size() && m_pattern[i] == '}') {
            if (!has_lo) {
                return false;
            }
            hi = lo;
        } else if (i < m_pattern.size() && m_pattern[i] == ',') {
            ++i;
            if (!number(hi)) {
                hi = -1;
            }
            if (i >= m_pattern.size() || m_pattern[i] != '}') {
                return false;
            }
        } else {
            return false;
        }
        if (lo > k_max_repeat || hi > k_max_repeat) {
            fail("repetition count above " + std::to_string(k_max_repeat));
        }
        if (hi >= 0 && hi < lo) {
            fail("min repeat greater than max repeat");
        }
        min = lo;
        max = hi;
        m_pos = i + 1;
        return true;
    }

    bool quantifier(int& min, int& max)
    {
        if (at_end()) {
            return false;
        }
        switch (peek()) {
        case '*':
            min = 0, max = -1, ++m_pos;
            return true;
        case '+':
            min = 1, max = -1, ++m_pos;
            return true;
        case '?':
            min = 0, max = 1, ++m_pos;
            return true;
        case '{':
            return counted(min, max);
        default:
            return false;
        }
    }

    std::size_t quantified(std::size_t atom_index)
    {
        int min = 0;
        int max = -1;
        const std::size_t at = m_pos;
        if (!quantifier(min, max)) {
            return atom_index;
        }
        if (nodes[atom_index].kind == Node::Kind::assertion ||
            nodes[atom_index].kind == Node::Kind::empty) {
            fail("nothing to repeat", at);
        }
        Node repeat;
        repeat.kind = Node::Kind::repeat;
        repeat.min = min;
        repeat.max = max;
        repeat.children.push_back(atom_index);
        if (consume("?")) {
            repeat.greedy = false;
        } else if (!at_end() && peek() == '+') {
            fail("possessive quantifiers are not supported");
        }
        int ignored_min = 0;
        int ignored_max = 0;
        const std::size_t again = m_pos;
        if (quantifier(ignored_min, ignored_max)) {
            fail("multiple repeat", again);
        }
        return add(std::move(repeat));
    }

    std::size_t group()
    {
        const std::size_t open = m_pos;
        ++m_pos; // '('
        if (++m_depth > k_max_depth) {
            fail("more than " + std::to_string(k_max_depth) + " nested groups", open);
        }
        bool capturing = true;
        if (consume("?")) {
            if (consume(":")) {
                capturing = false;
            } else if (consume("P<")) {
                const std::size_t close = m_pattern.find('>', m_pos);
                if (close == std::string_view::npos || close == m_pos) {
                    fail("bad group name", open);
                }
                m_pos = close + 1;
            } else if (consume("P=")) {
                fail("backreferences are not supported", open);
            } else if (consume("=") || consume("!") || consume("<=") || consume("<!")) {
                fail("lookahead and lookbehind are not supported", open);
            } else if (consume("(")) {
                fail("conditional groups are not supported", open);
            } else if (consume("#")) {
                fail("comments are not supported", open);
            } else {
                fail("inline flags and other (?...) extensions are not supported", open);
            }
        }
        Node node;
        node.kind = Node::Kind::group;
        if (capturing) {
            node.value = static_cast<std::uint32_t>(++groups);
        }
        node.children.push_back(alternation());
        if (!consume(")")) {
            fail("missing ), unterminated subpattern", open);
        }
        --m_depth;
        if (!capturing) {
            return node.children.front();
        }
        return add(std::move(node));
    }

    static unsigned char hex_value(char c)
    {
        const auto u = static_cast<unsigned char>(c);
        if (is_digit_byte(u)) {
            return static_cast<unsigned char>(u - '0');
        }
        return static_cast<unsigned char>(std::tolower(u) - 'a' + 10);
    }

    // After a backslash: a byte, or (outside classes) a set or an assertion. `set` and
    // `assertion` are left alone when the escape is a single byte.
    unsigned char escape(std::optional<ByteSet>& set, std::optional<Op>& assertion, bool in_class)
    {
        const std::size_t at = m_pos - 1;
        if (at_end()) {
            fail("bad escape (end of pattern)", at);
        }
        const char c = peek();
        ++m_pos;
        switch (c) {
        case 'w':
        case 'W':
            set = make_set(is_word_byte, c == 'W');
            return 0;
        case 'd':
        case 'D':
            set = make_set(is_digit_byte, c == 'D');
            return 0;
        case 's':
        case 'S':
            set = make_set(is_space_byte, c == 'S');
            return 0;
        case 't':
            return '\t';
        case 'n':
            return '\n';
        case 'r':
            return '\r';
        case 'f':
            return '\f';
        case 'v':
            return '\v';
        case 'a':
            return '\a';
        case '0':
            return 0;
        case 'x': {
            if (m_pos + 2 > m_pattern.size() ||
                std::isxdigit(static_cast<unsigned char>(m_pattern[m_pos])) == 0 ||
                std::isxdigit(static_cast<unsigned char>(m_pattern[m_pos + 1])) == 0) {
                fail("incomplete escape \\x", at);
            }
            const auto value = static_cast<unsigned char>(hex_value(m_pattern[m_pos]) * 16 +
                                                          hex_value(m_pattern[m_pos + 1]));
            m_pos += 2;
            return value;
        }
        case 'b':
            if (in_class) {
                return '\b';
            }
            assertion = Op::word_boundary;
            return 0;
        case 'B':
            if (!in_class) {
                assertion = Op::not_word_boundary;
                return 0;
            }
            break;
        case 'A':
            if (!in_class) {
                assertion = Op::assert_begin;
                return 0;
            }
            break;
        case 'Z':
            if (!in_class) {
                assertion = Op::assert_end;
                return 0;
            }
            break;
        default:
            break;
        }
        if (c >= '1' && c <= '9') {
            fail("backreferences are not supported", at);
        }
        if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
            fail(std::string("bad escape \\") + c, at);
        }
        return static_cast<unsigned char>(c);
    }

    // One item of a class: an escape or a literal byte; `set` is filled for `\d`, `\w`, ...
    unsigned char class_atom(std::optional<ByteSet>& set)
    {
        if (peek() == '\\') {
            ++m_pos;
            std::optional<Op> none;
            return escape(set, none, true);
        }
        return static_cast<unsigned char>(m_pattern[m_pos++]);
    }

    std::size_t char_class()
    {
        const std::size_t open = m_pos;
        ++m_pos; // '['
        ByteSet set{};
        const bool negate = consume("^");
        bool first = true;
        while (true) {
            if (at_end()) {
                fail("unterminated character set", open);
            }
            if (peek() == ']' && !first) {
                ++m_pos;
                break;
            }
            first = false;
            const std::size_t item_at = m_pos;
            std::optional<ByteSet> item_set;
            const unsigned char lo = class_atom(item_set);
            if (item_set) {
                for (std::size_t c = 0; c < 256; ++c) {
                    set[c] = set[c] || (*item_set)[c];
                }
                continue;
            }
            unsigned char hi = lo;
            if (m_pos + 1 < m_pattern.size() && peek() == '-' && m_pattern[m_pos + 1] != ']') {
                ++m_pos;
                std::optional<ByteSet> end_set;
                hi = class_atom(end_set);
                if (end_set || hi < lo) {
                    fail("bad character range", item_at);
                }
            }
            for (unsigned c = lo; c <= hi; ++c) {
                set[c] = true;
            }
        }
        if (negate) {
            for (bool& in : set) {
                in = !in;
            }
        }
        return add_set(std::move(set));
    }

    std::size_t atom()
    {
        const char c = peek();
        switch (c) {
        case '(':
            return group();
        case '[':
            return char_class();
        case '.': {
            ++m_pos;
            Node node;
            node.kind = Node::Kind::any;
            return add(std::move(node));
        }
        case '^':
            ++m_pos;
            return add_assertion(Op::assert_bol);
        case '$':
            ++m_pos;
            return add_assertion(Op::assert_eol);
        case '*':
        case '+':
        case '?':
            fail("nothing to repeat");
        case '{': {
            int min = 0;
            int max = 0;
            const std::size_t at = m_pos;
            if (counted(min, max)) {
                fail("nothing to repeat", at);
            }
            ++m_pos;
            return add_byte('{');
        }
        case '\\': {
            ++m_pos;
            std::optional<ByteSet> set;
            std::optional<Op> assertion;
            const unsigned char byte = escape(set, assertion, false);
            if (set) {
                return add_set(std::move(*set));
            }
            if (assertion) {
                return add_assertion(*assertion);
            }
            return add_byte(byte);
        }
        default:
            ++m_pos;
            return add_byte(static_cast<unsigned char>(c));
        }
    }

    std::string_view m_pattern;
    std::size_t m_pos = 0;
    std::size_t m_depth = 0;
};

// Turns the tree into a program (Thompson's construction, as in Russ Cox's "Regular
// Expression Matching: the Virtual Machine Approach").
class Compiler
{
public:
    explicit Compiler(const std::vector<Node>& nodes) : m_nodes(nodes) {}

    std::vector<Inst> program;

    // Recursion as deep as the tree, which the parser bounds (k_max_depth groups).
    void emit(std::size_t index)
    {
        const Node& node = m_nodes[index];
        switch (node.kind) {
        case Node::Kind::empty:
            return;
        case Node::Kind::byte:
            push({Op::byte, node.value, 0, 0});
            return;
        case Node::Kind::set:
            push({Op::set, node.value, 0, 0});
            return;
        case Node::Kind::any:
            push({Op::any, 0, 0, 0});
            return;
        case Node::Kind::assertion:
            push({static_cast<Op>(node.value), 0, 0, 0});
            return;
        case Node::Kind::concat:
            for (const std::size_t child : node.children) {
                emit(child);
            }
            return;
        case Node::Kind::group:
            push({Op::save, 2 * node.value, 0, 0});
            emit(node.children.front());
            push({Op::save, 2 * node.value + 1, 0, 0});
            return;
        case Node::Kind::alt: {
            std::vector<std::size_t> jumps;
            for (std::size_t i = 0; i + 1 < node.children.size(); ++i) {
                const std::size_t split = push({Op::split, 0, 0, 0});
                program[split].x = here();
                emit(node.children[i]);
                jumps.push_back(push({Op::jump, 0, 0, 0}));
                program[split].y = here();
            }
            emit(node.children.back());
            for (const std::size_t jump : jumps) {
                program[jump].x = here();
            }
            return;
        }
        case Node::Kind::repeat:
            repeat(node);
            return;
        }
    }

    std::uint32_t here() const { return static_cast<std::uint32_t>(program.size()); }

    std::size_t push(Inst inst)
    {
        if (program.size() >= k_max_program) {
            throw Error("pattern too large (more than " + std::to_string(k_max_program) +
                        " instructions once repetitions are expanded)");
        }
        program.push_back(inst);
        return program.size() - 1;
    }

private:
    // A split that tries `take` first when greedy, `skip` first when lazy.
    void set_split(std::size_t split, std::uint32_t take, std::uint32_t skip, bool greedy)
    {
        program[split].x = greedy ? take : skip;
        program[split].y = greedy ? skip : take;
    }

    void repeat(const Node& node)
    {
        const std::size_t child = node.children.front();
        for (int i = 0; i < node.min; ++i) {
            emit(child);
        }
        if (node.max < 0) {
            // L: split body, out; body; jump L
            const std::size_t split = push({Op::split, 0, 0, 0});
            emit(child);
            push({Op::jump, 0, static_cast<std::uint32_t>(split), 0});
            set_split(split, static_cast<std::uint32_t>(split + 1), here(), node.greedy);
            return;
        }
        std::vector<std::size_t> splits;
        for (int i = node.min; i < node.max; ++i) {
            splits.push_back(push({Op::split, 0, 0, 0}));
            emit(child);
        }
        for (const std::size_t split : splits) {
            set_split(split, static_cast<std::uint32_t>(split + 1), here(), node.greedy);
        }
    }

    const std::vector<Node>& m_nodes;
};

// A list of threads for one text position, in priority order, with their capture slots.
// Sized once for the whole program: a list holds each instruction at most once.
struct ThreadList
{
    ThreadList(std::size_t program_size, std::size_t slots)
        : pcs(program_size), caps(program_size * slots)
    {
    }
    std::vector<std::uint32_t> pcs;
    std::vector<std::size_t> caps; // count * slots used
    std::size_t count = 0;
    std::uint64_t generation = 0;

    void clear(std::uint64_t gen)
    {
        count = 0;
        generation = gen;
    }
};

class Machine
{
public:
    Machine(const std::vector<Inst>& program,
            const std::vector<ByteSet>& sets,
            std::size_t slots,
            std::string_view text,
            std::uint64_t budget)
        : m_program(program), m_sets(sets), m_slots(slots), m_text(text), m_budget(budget),
          m_marks(program.size(), 0), m_work(slots, Regex::npos), m_fresh(slots, Regex::npos),
          m_stack(2 * program.size() + 2), m_current(program.size(), slots),
          m_next(program.size(), slots)
    {
    }

    // The capture slots of the first match at or after `start`; empty when there is none (or
    // the budget ran out: see out_of_budget).
    std::vector<std::size_t> search(std::size_t start)
    {
        ThreadList* current = &m_current;
        ThreadList* next = &m_next;
        current->clear(++m_generation);
        std::vector<std::size_t> found;
        const Inst* program = m_program.data();
        const std::size_t size = m_text.size();
        for (std::size_t pos = start; pos <= size; ++pos) {
            if (found.empty()) {
                add(*current, 0, m_fresh.data(), pos); // the lowest priority: starts latest
            }
            if (out_of_budget || (!found.empty() && current->count == 0)) {
                break;
            }
            next->clear(++m_generation);
            const auto byte = pos < size ? static_cast<unsigned char>(m_text[pos]) : 0;
            for (std::size_t t = 0; t < current->count; ++t) {
                const std::uint32_t pc = current->pcs[t];
                const Inst& inst = program[pc];
                const std::size_t* caps = current->caps.data() + t * m_slots;
                if (inst.op == Op::match) {
                    found.assign(caps, caps + m_slots);
                    break; // threads of lower priority lose
                }
                if (pos < size && consumes(inst, byte)) {
                    add(*next, pc + 1, caps, pos + 1);
                }
            }
            std::swap(current, next);
        }
        return found;
    }

    bool out_of_budget = false;

private:
    bool consumes(const Inst& inst, unsigned char c) const
    {
        switch (inst.op) {
        case Op::byte:
            return c == inst.arg;
        case Op::set:
            return m_sets[inst.arg][c];
        case Op::any:
            return c != '\n';
        default:
            return false;
        }
    }

    bool holds(Op op, std::size_t pos) const
    {
        const bool at_begin = pos == 0;
        const bool at_end = pos == m_text.size();
        switch (op) {
        case Op::assert_bol:
            return at_begin || m_text[pos - 1] == '\n';
        case Op::assert_eol:
            return at_end || m_text[pos] == '\n';
        case Op::assert_begin:
            return at_begin;
        case Op::assert_end:
            return at_end;
        case Op::word_boundary:
        case Op::not_word_boundary: {
            const bool before =
                !at_begin && is_word_byte(static_cast<unsigned char>(m_text[pos - 1]));
            const bool after = !at_end && is_word_byte(static_cast<unsigned char>(m_text[pos]));
            return (before != after) == (op == Op::word_boundary);
        }
        default:
            return false;
        }
    }

    // Follows jumps, splits, saves and assertions from `pc` at `pos` (depth first, so in
    // priority order) and appends every thread that waits for a byte or matches.
    void add(ThreadList& list, std::uint32_t pc, const std::size_t* caps, std::size_t pos)
    {
        std::size_t* work = m_work.data();
        std::copy(caps, caps + m_slots, work);
        StackFrame* stack = m_stack.data();
        std::size_t top = 0;
        stack[top++] = {pc, Regex::npos, 0};
        while (top > 0) {
            const StackFrame frame = stack[--top];
            if (frame.slot != Regex::npos) {
                work[frame.slot] = frame.old;
                continue;
            }
            if (m_marks[frame.pc] == list.generation) {
                continue;
            }
            m_marks[frame.pc] = list.generation;
            if (++m_steps > m_budget) {
                out_of_budget = true;
                return;
            }
            const Inst& inst = m_program[frame.pc];
            switch (inst.op) {
            case Op::jump:
                stack[top++] = {inst.x, Regex::npos, 0};
                break;
            case Op::split:
                stack[top++] = {inst.y, Regex::npos, 0};
                stack[top++] = {inst.x, Regex::npos, 0};
                break;
            case Op::save:
                stack[top++] = {0, inst.arg, work[inst.arg]};
                work[inst.arg] = pos;
                stack[top++] = {frame.pc + 1, Regex::npos, 0};
                break;
            case Op::assert_bol:
            case Op::assert_eol:
            case Op::assert_begin:
            case Op::assert_end:
            case Op::word_boundary:
            case Op::not_word_boundary:
                if (holds(inst.op, pos)) {
                    stack[top++] = {frame.pc + 1, Regex::npos, 0};
                }
                break;
            default:
                list.pcs[list.count] = frame.pc;
                std::copy(work, work + m_slots, list.caps.data() + list.count * m_slots);
                ++list.count;
                break;
            }
        }
    }

    struct StackFrame
    {
        std::uint32_t pc;
        std::size_t slot; // npos: visit pc; else restore m_work[slot] = old
        std::size_t old;
    };
    const std::vector<Inst>& m_program;
    const std::vector<ByteSet>& m_sets;
    std::size_t m_slots;
    std::string_view m_text;
    std::uint64_t m_budget;
    std::uint64_t m_steps = 0;
    std::uint64_t m_generation = 0;
    std::vector<std::uint64_t> m_marks;
    std::vector<std::size_t> m_work;
    std::vector<std::size_t> m_fresh;
    std::vector<StackFrame> m_stack; // every pc pushes at most two frames per add()
    ThreadList m_current;
    ThreadList m_next;
};

} // namespace

Regex::Regex(std::string_view pattern)
{
    Parser parser(pattern);
    const std::size_t root = parser.parse();
    m_groups = parser.groups;
    m_sets = std::move(parser.sets);
    Compiler compiler(parser.nodes);
    compiler.push({Op::save, 0, 0, 0});
    compiler.emit(root);
    compiler.push({Op::save, 1, 0, 0});
    compiler.push({Op::match, 0, 0, 0});
    m_program = std::move(compiler.program);
}

Regex::FindResult Regex::find_all(std::string_view text) const
{
    FindResult result;
    const std::uint64_t budget = 16 * (static_cast<std::uint64_t>(text.size()) + 1) *
                                     (static_cast<std::uint64_t>(m_program.size()) + 1) +
                                 (std::uint64_t{1} << 20U);
    Machine machine(m_program, m_sets, 2 * (m_groups + 1), text, budget);
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::vector<std::size_t> caps = machine.search(pos);
        if (machine.out_of_budget) {
            result.complete = false;
            break;
        }
        if (caps.empty()) {
            break;
        }
        Match match;
        for (std::size_t g = 0; g <= m_groups; ++g) {
            const std::size_t begin = caps[2 * g];
            const std::size_t end = caps[2 * g + 1];
            if (begin == npos || end == npos) {
                match.groups.emplace_back(npos, npos);
            } else {
                match.groups.emplace_back(begin, end);
            }
        }
        const auto [begin, end] = match.groups.front();
        result.matches.push_back(std::move(match));
        pos = end == begin ? end + 1 : end;
    }
    return result;
}

} // namespace mlosbench
