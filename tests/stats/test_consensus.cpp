// Consensus label: majority vote, ties to the most experienced labeller,
// confidence = mean of High 1, Moderate 2/3, Low 1/3, No 0.

#include "consensus.h"

#include <QTest>

using namespace cytodiff::stats;

class TestConsensus : public QObject {
    Q_OBJECT

private slots:
    void confidenceValues()
    {
        QCOMPARE(confidenceValue(0), 1.0);
        QVERIFY(qAbs(confidenceValue(1) - 2.0 / 3.0) < 1e-15);
        QVERIFY(qAbs(confidenceValue(2) - 1.0 / 3.0) < 1e-15);
        QCOMPARE(confidenceValue(3), 0.0);
    }

    void majorityWins()
    {
        // A, A, B (B from the most experienced): 2 votes beat 1 -> A.
        // confidence (High, High, No) = (1 + 1 + 0) / 3 = 2/3
        const auto result = consensus({{1, 0, 0, 5.0}, {2, 0, 0, 6.0}, {3, 1, 3, 30.0}});
        QVERIFY(result);
        QCOMPARE(result->category, 0);
        QCOMPARE(result->votes, 3);
        QCOMPARE(result->winningVotes, 2);
        QVERIFY(!result->tieBroken);
        QVERIFY(qAbs(result->confidence - 2.0 / 3.0) < 1e-12);
    }

    void tieGoesToTheMostExperienced()
    {
        // A (5 y, High), B (30 y, Low), A (10 y, Moderate), B (20 y, No):
        // 2-2 tie; the 30-year labeller voted B -> B.
        // confidence = (1 + 1/3 + 2/3 + 0) / 4 = 0.5
        const auto result = consensus({{1, 0, 0, 5.0}, {2, 1, 2, 30.0}, {3, 0, 1, 10.0}, {4, 1, 3, 20.0}});
        QVERIFY(result);
        QCOMPARE(result->category, 1);
        QVERIFY(result->tieBroken);
        QCOMPARE(result->winningVotes, 2);
        QVERIFY(qAbs(result->confidence - 0.5) < 1e-12);
        // Input order does not matter.
        const auto reversed = consensus({{4, 1, 3, 20.0}, {3, 0, 1, 10.0}, {2, 1, 2, 30.0}, {1, 0, 0, 5.0}});
        QCOMPARE(reversed->category, 1);
    }

    void tieIgnoresExpertsOutsideTheTie()
    {
        // A (5 y), A (6 y), B (7 y), B (8 y), C (40 y): A and B tie at 2;
        // the 40-year expert voted C, which is not tied, so the most
        // experienced among the A/B voters (8 y, B) decides -> B.
        const auto result =
            consensus({{1, 0, 0, 5.0}, {2, 0, 0, 6.0}, {3, 1, 0, 7.0}, {4, 1, 0, 8.0}, {5, 2, 0, 40.0}});
        QCOMPARE(result->category, 1);
        QVERIFY(result->tieBroken);
    }

    void equalExperienceFallsBackToTheEarliestRater()
    {
        // rater 7 says A, rater 3 says B, both 10 years: rater 3 -> B.
        const auto result = consensus({{7, 0, 0, 10.0}, {3, 1, 0, 10.0}});
        QCOMPARE(result->category, 1);
        QVERIFY(!consensus({}));
    }
};

QTEST_APPLESS_MAIN(TestConsensus)
#include "test_consensus.moc"
