package dev.robin.app.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package graph of Robin's main code (every module is on this module's classpath): no package cycle, and
 * each module uses only the modules below it (engine ← serving, accounts ← http-api ← app; benchmarks ← app).
 */
class PackageGraphTest {

  private static JavaClasses robin;

  @BeforeAll
  static void importMainClasses() {
    robin = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        // Other modules' test kits arrive as test-jars, which DO_NOT_INCLUDE_TESTS does not recognise.
        .withImportOption(location -> !location.contains("-tests.jar"))
        .importPackages("dev.robin");
  }

  @Test
  void noPackageCycles() {
    slices().matching("dev.robin.(**)").should().beFreeOfCycles().check(robin);
  }

  @Test
  void engineUsesNoOtherModule() {
    noClasses().that().resideInAPackage("dev.robin.engine..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "dev.robin.serving..", "dev.robin.accounts..", "dev.robin.api..", "dev.robin.app..", "dev.robin.bench..")
        .check(robin);
  }

  @Test
  void servingAndAccountsAreIndependentAndBelowTheHttpLayer() {
    noClasses().that().resideInAPackage("dev.robin.serving..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "dev.robin.accounts..", "dev.robin.api..", "dev.robin.app..", "dev.robin.bench..")
        .check(robin);
    noClasses().that().resideInAPackage("dev.robin.accounts..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "dev.robin.engine..", "dev.robin.serving..", "dev.robin.api..", "dev.robin.app..", "dev.robin.bench..")
        .check(robin);
  }

  @Test
  void httpLayerAndBenchmarksDoNotReachIntoTheApp() {
    noClasses().that().resideInAPackage("dev.robin.api..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.robin.app..", "dev.robin.bench..")
        .check(robin);
    noClasses().that().resideInAPackage("dev.robin.bench..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "dev.robin.serving..", "dev.robin.accounts..", "dev.robin.api..", "dev.robin.app..")
        .check(robin);
  }
}
