#pragma once
// A minimal std::expected stand-in (C++20 has none): expected failures are
// values with a message a user can act on, never exceptions across threads.

#include <string>
#include <utility>
#include <variant>

namespace cytodiff {

struct Error {
    std::string message;
};

template <typename T>
class Result {
public:
    Result(T value) : m_data(std::move(value)) {}
    Result(Error error) : m_data(std::move(error)) {}

    bool ok() const { return m_data.index() == 0; }
    explicit operator bool() const { return ok(); }

    T &value() { return std::get<0>(m_data); }
    const T &value() const { return std::get<0>(m_data); }
    T &operator*() { return value(); }
    const T &operator*() const { return value(); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }

    const std::string &error() const { return std::get<1>(m_data).message; }

private:
    std::variant<T, Error> m_data;
};

template <>
class Result<void> {
public:
    Result() = default;
    Result(Error error) : m_ok(false), m_error(std::move(error.message)) {}

    bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const std::string &error() const { return m_error; }

private:
    bool m_ok = true;
    std::string m_error;
};

inline Error makeError(std::string message) { return Error{std::move(message)}; }

} // namespace cytodiff
